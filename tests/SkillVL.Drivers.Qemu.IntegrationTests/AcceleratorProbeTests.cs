using System.Diagnostics;
using System.Text.Json;
using SkillVL.Drivers.Qemu.Accelerators;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

public sealed class AcceleratorProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Auto_ProbesOnceWithARealBoot_CachesTheDecision()
    {
        await using var host = await QemuTestHost.StartAsync(output, accelerator: "auto");
        var template = (await host.Node.Templates.FindAsync(host.Template.Sha256, CancellationToken.None))!;

        var stopwatch = Stopwatch.StartNew();
        var first = await host.Node.Accelerators.ResolveAsync(template, CancellationToken.None);
        output.WriteLine($"probe chose {first} in {stopwatch.Elapsed.TotalSeconds:0.0} s");

        using (var cache = JsonDocument.Parse(await File.ReadAllTextAsync(host.Node.Accelerators.CacheFile)))
        {
            Assert.Equal(first.ToQemuName(), cache.RootElement.GetProperty("accelerator").GetString());
            Assert.Equal(template.KernelSha256, cache.RootElement.GetProperty("kernelSha256").GetString());
            Assert.StartsWith("QEMU emulator version", cache.RootElement.GetProperty("qemuVersion").GetString(), StringComparison.Ordinal);
        }

        // A new node (new process) reads the cache instead of booting again.
        await host.RestartNodeAsync();
        stopwatch.Restart();
        var second = await host.Node.Accelerators.ResolveAsync(template, CancellationToken.None);
        Assert.Equal(first, second);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"cached decision took {stopwatch.Elapsed}");

        // The probe VM left nothing behind.
        Assert.False(Directory.Exists(Path.Combine(host.Options.RuntimeDirectory, "probe"))
            && Directory.EnumerateFileSystemEntries(Path.Combine(host.Options.RuntimeDirectory, "probe")).Any());
        await host.AssertNothingLeftAsync();
    }
}
