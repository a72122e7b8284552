using SkillVL.TestUtilities;

namespace SkillVL.IntegrationTests.Packaging;

/// <summary>
/// A fresh Debian 12 root made with debootstrap (minbase) from the Debian mirror this host's apt uses, and the commands a
/// test runs in it. Its Server runs in namespaces of its own (network, mount, PID): its bridges, taps, mounts and every
/// process it starts (QEMU too) end with it, and it reaches no address outside its own loopback.
/// </summary>
internal sealed class DebianRoot : IDisposable
{
    private readonly TempDirectory _directory = new("svl-pkg");

    public DebianRoot() => Path = _directory.Sub("root");

    public string Path { get; }

    /// <summary>The file <paramref name="inside"/> (an absolute path in the root) as seen from the host.</summary>
    public string HostPath(string inside) => System.IO.Path.Combine(Path, inside.TrimStart('/'));

    public async Task CreateAsync()
    {
        HostTools.RequireTool("debootstrap", "debootstrap");
        var mirror = await MirrorAsync();
        await RunAsync("debootstrap", ["--variant=minbase", "bookworm", Path, mirror], TimeSpan.FromMinutes(10));
        // apt inside the root resolves the packages' dependencies from the same mirror (and its security updates, as the
        // host has them: the packages' Depends name no version, so either works).
        File.Copy("/etc/resolv.conf", HostPath("/etc/resolv.conf"), overwrite: true);
    }

    /// <summary>A command in the root (host namespaces: apt and dpkg reach the mirror); fails the test on a non-zero exit.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> ChrootAsync(IEnumerable<string> command, TimeSpan timeout, bool check = true) =>
        RunAsync("chroot", [Path, "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", .. command], timeout, check);

    /// <summary>
    /// A packaged program in the root, with a /proc (the .NET runtime needs it) mounted in a mount namespace of its own that
    /// ends with it; returns what it printed and its exit code.
    /// </summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> ProgramAsync(IEnumerable<string> command, TimeSpan timeout) =>
        RunAsync(
            "unshare",
            ["--mount", "--fork", "--", "/bin/sh", "-c", "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" \"$@\"", Path, .. command],
            timeout,
            check: false);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string tool, IEnumerable<string> arguments, TimeSpan timeout, bool check = true)
    {
        var list = arguments.ToList();
        var result = await HostTools.RunAsync(tool, list, timeout);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{tool} {string.Join(' ', list)} exited {result.ExitCode}:\n{Tail(result.Stdout)}\n{Tail(result.Stderr)}");
        }

        return result;
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(30));

    /// <summary>The bookworm main repository this host's apt is configured with (never a host named in the repository).</summary>
    private static async Task<string> MirrorAsync()
    {
        var targets = await RunAsync("apt-get", ["indextargets", "--format", "$(REPO_URI) $(RELEASE) $(COMPONENT)"], TimeSpan.FromSeconds(30));
        var line = targets.Stdout.Split('\n').FirstOrDefault(l => l.EndsWith(" bookworm main", StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                "This host's apt has no bookworm main repository (apt-get update first?); debootstrap needs one:\n" + targets.Stdout);
        return line.Split(' ')[0];
    }

    public void Dispose() => _directory.Dispose();
}
