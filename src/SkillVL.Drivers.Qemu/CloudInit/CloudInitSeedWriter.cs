using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.CloudInit;

/// <summary>
/// Writes a machine's NoCloud seed (<see cref="VmPaths.CloudInitSeed"/>) before each start of a VM whose template takes
/// cloud-init: a 1 MiB FAT volume labelled "cidata" made with Debian's dosfstools and mtools (nothing is mounted), in
/// the VM's data directory, root's and read-only for QEMU's group (<see cref="QemuConfinement.ShareReadOnlyAsync"/>).
/// Written again on every start, so it always says what the room says now; cloud-init acts on it once per instance.
/// </summary>
public sealed class CloudInitSeedWriter(ICommandRunner runner, QemuConfinement confinement)
{
    /// <summary>KiB of the volume: user-data is at most 16 KiB and 16 keys of at most 4 KiB, so 1 MiB always fits.</summary>
    private const int SizeKiB = 1024;

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    public async Task WriteAsync(VmPaths paths, VmSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(spec);
        Directory.CreateDirectory(paths.DataDirectory);
        var staging = Path.Combine(paths.DataDirectory, "cidata.tmp");
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [CloudInitSeed.MetaDataFile] = CloudInitSeed.MetaData(spec),
                [CloudInitSeed.UserDataFile] = CloudInitSeed.UserData(spec),
                [CloudInitSeed.NetworkConfigFile] = CloudInitSeed.NetworkConfig(spec),
            };
            foreach (var (name, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(staging, name), text, cancellationToken);
            }

            var image = Path.Combine(staging, "cidata.img");
            await RunAsync("mkfs.vfat", ["-C", "-n", CloudInitSeed.VolumeLabel.ToUpperInvariant(), image, SizeKiB.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken);
            await RunAsync("mcopy", ["-i", image, .. files.Keys.Select(n => Path.Combine(staging, n)), "::/"], cancellationToken);
            File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Move(image, paths.CloudInitSeed, overwrite: true);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }

        await confinement.ShareReadOnlyAsync([paths.CloudInitSeed], cancellationToken);
    }

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(tool, arguments, ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException(
                $"Making the cloud-init seed failed: {tool} exited with {result.ExitCode}: {result.StandardError.Trim()}", isTransient: false);
        }
    }
}
