using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Compute;
using SkillVL.Drivers.Qemu.CloudInit;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;

namespace SkillVL.Drivers.Qemu.Tests.CloudInit;

/// <summary>The seed made with the real dosfstools and mtools (test.sh installs them), read back with mtools.</summary>
public sealed class CloudInitSeedWriterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skillvl-seed-").FullName;

    [Fact]
    public async Task WriteAsync_MakesACidataVolume_WithTheThreeFiles_ReadableOnlyByRoot()
    {
        var runner = new ProcessCommandRunner(TimeProvider.System, NullLogger<ProcessCommandRunner>.Instance);
        var options = TestOptions.In(_root);
        options.RunAsUser = ""; // unconfined: root's file, 0400 (confined: 0440 for QEMU's group, the VM tests' case)
        var paths = VmPaths.For(options, "0123456789ab");
        var spec = new VmSpec(
            "0123456789ab", "web", new string('a', 64), 1, 512L * 1024 * 1024,
            [new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:00:00:01", 1500, "10.0.1.10/24")], "h",
            CloudInit: new VmCloudInit(["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQ7 student@lab"], "#cloud-config\n{}\n"));
        var writer = new CloudInitSeedWriter(runner, new QemuConfinement(options, runner, NullLogger.Instance, devices: []));

        await writer.WriteAsync(paths, spec, CancellationToken.None);
        await writer.WriteAsync(paths, spec, CancellationToken.None); // again, as every start does

        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(paths.CloudInitSeed));
        Assert.Equal([paths.CloudInitSeed], Directory.GetFileSystemEntries(paths.DataDirectory));
        var label = await runner.RunAsync("mlabel", ["-i", paths.CloudInitSeed, "-s", "::"], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Contains("CIDATA", label.StandardOutput, StringComparison.Ordinal);
        foreach (var (file, expected) in new[]
        {
            (CloudInitSeed.MetaDataFile, CloudInitSeed.MetaData(spec)),
            (CloudInitSeed.UserDataFile, CloudInitSeed.UserData(spec)),
            (CloudInitSeed.NetworkConfigFile, CloudInitSeed.NetworkConfig(spec)),
        })
        {
            var read = await runner.RunAsync("mtype", ["-i", paths.CloudInitSeed, "::/" + file], TimeSpan.FromSeconds(10), CancellationToken.None);
            Assert.True(read.Succeeded, read.StandardError);
            Assert.Equal(expected, read.StandardOutput);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
