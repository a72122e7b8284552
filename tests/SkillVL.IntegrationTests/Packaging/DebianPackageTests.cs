using System.Diagnostics;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Packaging;

/// <summary>
/// Issue 16, Deliver 4: the Debian packages that packaging/build-debs.sh makes install into a fresh Debian 12 root (made
/// with debootstrap here), with apt resolving their dependencies; the packaged Server starts there on its own data
/// directory with its embedded defaults, applies a room whose VM boots and answers, and the packages purge cleanly.
/// CI builds the packages once beside the unit tests (SKILLVL_DEBS); elsewhere this test builds them.
/// </summary>
public sealed class DebianPackageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Apt = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task Server_and_agent_packages_install_run_a_room_and_purge_in_a_fresh_Debian_12()
    {
        HostTools.RequireRoot();
        HostTools.RequireTool("unshare", "util-linux");
        var clock = Stopwatch.StartNew();
        using var built = new TempDirectory("svl-debs");
        var debs = await PackagesAsync(built.Path);
        using var root = new DebianRoot();
        await root.CreateAsync();
        output.WriteLine($"debootstrap: {clock.Elapsed.TotalSeconds:0} s");

        // Install as an operator does: apt with the two files, dependencies from the mirror.
        Directory.CreateDirectory(root.HostPath("/tmp/debs"));
        foreach (var deb in debs)
        {
            File.Copy(deb, root.HostPath("/tmp/debs/" + Path.GetFileName(deb)));
        }

        await root.ChrootAsync(["apt-get", "update", "-q"], Apt);
        await root.ChrootAsync(["apt-get", "install", "-y", "-q", "--no-install-recommends", .. debs.Select(d => "/tmp/debs/" + Path.GetFileName(d))], Apt);
        output.WriteLine($"installed: {clock.Elapsed.TotalSeconds:0} s");

        Assert.True(File.Exists(root.HostPath("/usr/lib/skillvl/server/skillvl-server")), "the Server's program");
        Assert.True(File.Exists(root.HostPath("/usr/lib/skillvl/agent/skillvl-agent")), "the agent's program");
        Assert.True(File.Exists(root.HostPath("/usr/share/skillvl/web/index.html")), "the built web UI");
        Assert.Equal("../lib/skillvl/cli/skillvl", new FileInfo(root.HostPath("/usr/bin/skillvl")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(root.HostPath("/etc/skillvl/server.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root.HostPath("/var/lib/skillvl")));
        Assert.Contains("skillvl-qemu:", await File.ReadAllTextAsync(root.HostPath("/etc/passwd")), StringComparison.Ordinal);
        Assert.DoesNotContain(
            Directory.EnumerateFiles(root.HostPath("/usr/lib/skillvl"), "*", SearchOption.AllDirectories),
            f => new FileInfo(f).LinkTarget is null && (File.GetUnixFileMode(f) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0);
        // The unit runs exactly the program the package installed.
        var unit = await File.ReadAllTextAsync(root.HostPath("/lib/systemd/system/skillvl-server.service"));
        Assert.Contains("ExecStart=/usr/lib/skillvl/server/skillvl-server ", unit, StringComparison.Ordinal);

        await AgentRefusesAnOpenTokenFileAsync(root);

        // The embedded defaults, plus what this machine needs: TCG (KVM hangs here) and the tiny template as a source.
        var tiny = await new TinyImageFixture().EnsureAsync();
        CopyDirectory(tiny, root.HostPath("/var/lib/skillvl-import/tiny"));
        await File.WriteAllTextAsync(root.HostPath("/etc/skillvl/server.json"), (await File.ReadAllTextAsync(root.HostPath("/etc/skillvl/server.json")))
            .Replace("\"Accelerator\": \"auto\"", "\"Accelerator\": \"tcg\"", StringComparison.Ordinal)
            .Replace("\"TemplateSources\": []", "\"TemplateSources\": [\"/var/lib/skillvl-import/tiny\"]", StringComparison.Ordinal));

        await using (var server = await PackagedServer.StartAsync(root, output))
        {
            output.WriteLine($"Server up: {clock.Elapsed.TotalSeconds:0} s");
            await File.WriteAllTextAsync(root.HostPath("/tmp/room.yaml"), Room);
            var apply = await server.CliAsync(["room", "apply", "-f", "/tmp/room.yaml", "--timeout", "5m"], TimeSpan.FromMinutes(6));
            output.WriteLine(apply.Stdout + apply.Stderr);
            var exec = await server.CliAsync(["vm", "exec", "pkg-lab/vm1", "--", "cat", "/proc/version"], TimeSpan.FromMinutes(3));
            Assert.Contains("Linux version", exec.Stdout, StringComparison.Ordinal);
            output.WriteLine($"room running, guest answered: {clock.Elapsed.TotalSeconds:0} s");
            await server.CliAsync(["room", "delete", "pkg-lab"], TimeSpan.FromMinutes(3));
            Assert.DoesNotContain("pkg-lab", (await server.CliAsync(["room", "list"], TimeSpan.FromSeconds(60))).Stdout, StringComparison.Ordinal);
        }

        // Purge removes the programs, the configuration and what the Server made; the QEMU user stays (Debian policy).
        await root.ChrootAsync(["dpkg", "--purge", "skillvl-server", "skillvl-agent"], Apt);
        foreach (var gone in new[] { "/usr/lib/skillvl", "/usr/share/skillvl", "/usr/bin/skillvl", "/etc/skillvl", "/var/lib/skillvl", "/lib/systemd/system/skillvl-server.service" })
        {
            Assert.False(Path.Exists(root.HostPath(gone)), $"{gone} is left after the purge");
        }

        output.WriteLine($"purged: {clock.Elapsed.TotalSeconds:0} s");
    }

    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: pkg-lab
        networks:
          - name: lan
            cidr: 10.0.1.0/24
        machines:
          - name: vm1
            template: tiny
            memory: 128Mi
            nics:
              - { network: lan, ip: 10.0.1.10 }
        """;

    /// <summary>The packaged agent reads its join token from a root-only file, and refuses one others may read.</summary>
    private static async Task AgentRefusesAnOpenTokenFileAsync(DebianRoot root)
    {
        await File.WriteAllTextAsync(root.HostPath("/etc/skillvl/join-token"), "svl_join_not_a_real_token\n");
        File.SetUnixFileMode(root.HostPath("/etc/skillvl/join-token"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var run = await root.ProgramAsync(
            ["/usr/lib/skillvl/agent/skillvl-agent", "--server", "http://127.0.0.1:9", "--name", "n1", "--join-token-file", "/etc/skillvl/join-token"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("may be read or written by other users (mode 604); chmod 0600 it", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>SKILLVL_DEBS (CI builds them beside the unit tests), else a build here.</summary>
    private async Task<IReadOnlyList<string>> PackagesAsync(string scratch)
    {
        var directory = Environment.GetEnvironmentVariable("SKILLVL_DEBS");
        if (string.IsNullOrEmpty(directory))
        {
            directory = scratch;
            var build = await DebianRoot.RunAsync(Path.Combine(RepositoryRoot.Find(), "packaging/build-debs.sh"), ["--out", directory], TimeSpan.FromMinutes(30));
            output.WriteLine(build.Stderr);
        }

        var debs = Directory.GetFiles(directory, "skillvl-*_amd64.deb").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["skillvl-agent", "skillvl-server"], debs.Select(d => Path.GetFileName(d).Split('_')[0]));
        return debs;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
