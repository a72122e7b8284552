using System.Diagnostics;
using System.Text.Json;
using SkillVL.LinkEmulator.Linux;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.LinkEmulator.IntegrationTests;

public sealed class TapDeviceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Open_ExistingPersistentTap_AttachesAndLeavesItInPlaceWhenClosed()
    {
        HostTools.RequireRoot();
        var name = $"svlt{Guid.NewGuid().ToString("N")[..6]}p";
        try
        {
            await Ip("tuntap", "add", "dev", name, "mode", "tap");
            await Ip("link", "set", "dev", name, "up");
            Assert.Contains("NO-CARRIER", await FlagsAsync(name));

            using (var tap = TapDevice.Open(name))
            {
                Assert.False(tap.Created);

                // A tap has carrier while a process holds it open.
                Assert.DoesNotContain("NO-CARRIER", await FlagsAsync(name));
                Assert.Equal(0, tap.TryRead(new byte[2048]));
            }

            Assert.Contains("NO-CARRIER", await FlagsAsync(name));
        }
        finally
        {
            await HostTools.RunAsync("ip", ["link", "del", "dev", name], Timeout);
        }

        Assert.DoesNotContain(name, await HostInterfaces.AllAsync());
    }

    [Fact]
    public async Task Open_NewTap_IsCreatedAndRemovedWhenClosed()
    {
        HostTools.RequireRoot();
        var name = $"svlt{Guid.NewGuid().ToString("N")[..6]}n";
        using (var tap = TapDevice.Open(name))
        {
            Assert.True(tap.Created);
            Assert.Contains(name, await HostInterfaces.AllAsync());
        }

        Assert.DoesNotContain(name, await HostInterfaces.AllAsync());
    }

    [Fact]
    public void Open_InterfaceThatIsNotATap_FailsNamingIt()
    {
        HostTools.RequireRoot();

        var error = Assert.Throws<TapDeviceException>(() => TapDevice.Open("lo"));

        Assert.Contains("tap lo", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a single-queue tap", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Linkem_TapThatCannotBeOpened_ExitsOneNamingIt()
    {
        HostTools.RequireRoot();
        await using var linkem = LinkemProcess.Start(["--tap-a", "lo", "--tap-b", "svltnone0b", "--rate", "10mbit"], Stopwatch.StartNew());

        var exitCode = await linkem.WaitForExitAsync(TimeSpan.FromSeconds(30));

        output.WriteLine(linkem.Stderr);
        Assert.Equal(1, exitCode);
        Assert.Contains("skillvl-linkem: cannot open tap lo", linkem.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("svltnone0b", await HostInterfaces.AllAsync());
    }

    [Fact]
    public async Task Linkem_TapDeletedWhileRelaying_ExitsOneSayingSo()
    {
        // The emulator attaches to two persistent taps; deleting one under it must end it with a clear error,
        // not leave it spinning on a dead descriptor.
        HostTools.RequireRoot();
        var id = Guid.NewGuid().ToString("N")[..6];
        var (a, b) = ($"svlt{id}a", $"svlt{id}b");
        try
        {
            await Ip("tuntap", "add", "dev", a, "mode", "tap");
            await Ip("tuntap", "add", "dev", b, "mode", "tap");
            await using var linkem = LinkemProcess.Start(["--tap-a", a, "--tap-b", b, "--rate", "10mbit"], Stopwatch.StartNew());
            var started = await linkem.WaitStartedAsync(TimeSpan.FromSeconds(30));
            Assert.False(started.GetProperty("tapA").GetProperty("created").GetBoolean());

            await Ip("link", "del", "dev", b);
            var exitCode = await linkem.WaitForExitAsync(Timeout);

            output.WriteLine(linkem.Stderr);
            Assert.Equal(1, exitCode);
            Assert.Equal("fault", linkem.Lines[^1].Json.GetProperty("reason").GetString());
            Assert.Contains($"tap {b} was deleted", linkem.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await HostTools.RunAsync("ip", ["link", "del", "dev", a], Timeout);
            await HostTools.RunAsync("ip", ["link", "del", "dev", b], Timeout);
        }
    }

    private static async Task<IReadOnlyList<string>> FlagsAsync(string name)
    {
        var json = await Ip("-j", "link", "show", "dev", name);
        using var document = JsonDocument.Parse(json);
        return document.RootElement[0].GetProperty("flags").EnumerateArray().Select(f => f.GetString()!).ToList();
    }

    private static async Task<string> Ip(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", arguments, Timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} exited {exitCode}: {stderr}");
        }

        return stdout;
    }
}
