using System.Diagnostics;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Packaging;

/// <summary>
/// The packaged Server run in a <see cref="DebianRoot"/> as its unit runs it (the program, its settings in
/// /etc/skillvl/server.json), inside new network, mount and PID namespaces: it is PID 1 there, so when it ends the kernel
/// ends every process it started, and the mounts and network devices of the namespaces go with them. systemd itself is
/// not in the root (a chroot has none); the unit file's ExecStart is checked by the test instead.
/// </summary>
internal sealed class PackagedServer : IAsyncDisposable
{
    private readonly DebianRoot _root;
    private readonly Process _unshare;
    private readonly string _log;
    private readonly ITestOutputHelper _output;

    private PackagedServer(DebianRoot root, Process unshare, string log, ITestOutputHelper output)
    {
        _root = root;
        _unshare = unshare;
        _log = log;
        _output = output;
    }

    /// <summary>The Server's PID on the host (PID 1 in its namespaces).</summary>
    public int Pid { get; private set; }

    public static async Task<PackagedServer> StartAsync(DebianRoot root, ITestOutputHelper output)
    {
        var log = Path.Combine(Path.GetDirectoryName(root.Path)!, "server-console.log");
        // /dev for /dev/net/tun and /dev/null; /proc and /sys of the new namespaces; /run empty as at boot.
        var script = $"""
            set -e
            mount --rbind /dev '{root.Path}/dev'
            mount -t proc proc '{root.Path}/proc'
            mount -t sysfs sysfs '{root.Path}/sys'
            mount -t tmpfs -o mode=0755 tmpfs '{root.Path}/run'
            ip link set lo up
            exec chroot '{root.Path}' /usr/lib/skillvl/server/skillvl-server --Logging:Console:LogLevel:Default=Warning >'{log}' 2>&1
            """;
        var start = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var argument in (string[])["--net", "--mount", "--pid", "--fork", "--kill-child", "--", "/bin/sh", "-c", script])
        {
            start.ArgumentList.Add(argument);
        }

        var unshare = Process.Start(start) ?? throw new InvalidOperationException("Cannot start unshare.");
        var server = new PackagedServer(root, unshare, log, output);
        try
        {
            await Bounded.WaitUntilAsync(() => server.FindPid(), TimeSpan.FromSeconds(30), "the Server's process in its namespaces");
            await Bounded.WaitUntilAsync(
                async () => !unshare.HasExited
                    && (await HostTools.RunAsync("nsenter", ["--target", server.Pid.ToString(), "--net", "curl", "-fsS", "http://127.0.0.1:8080/healthz"], TimeSpan.FromSeconds(10))).ExitCode == 0,
                TimeSpan.FromMinutes(3), "the packaged Server to answer /healthz", TimeSpan.FromSeconds(1));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The packaged CLI in the root and the Server's namespaces, with the configuration the Server wrote for root.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(IEnumerable<string> arguments, TimeSpan timeout, bool check = true)
    {
        var result = await DebianRoot.RunAsync(
            "nsenter", ["--target", Pid.ToString(), "--net", "--mount", "--pid", "--", "chroot", _root.Path, "/usr/bin/skillvl", .. arguments], timeout, check: false);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"skillvl {string.Join(' ', arguments)} exited {result.ExitCode}:\n{result.Stdout}\n{result.Stderr}\n--- Server log:\n{ServerLog()}");
        }

        return result;
    }

    private bool FindPid()
    {
        if (_unshare.HasExited)
        {
            throw new InvalidOperationException($"The packaged Server exited ({_unshare.ExitCode}):\n{ServerLog()}");
        }

        var children = File.ReadAllText($"/proc/{_unshare.Id}/task/{_unshare.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (children.Length == 1 && File.ReadAllText($"/proc/{children[0]}/comm").Trim() == "skillvl-server")
        {
            Pid = int.Parse(children[0], System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }

        return false;
    }

    private string ServerLog()
    {
        var text = File.Exists(_log) ? File.ReadAllText(_log) : "";
        var file = _root.HostPath("/var/lib/skillvl/logs/server.log");
        if (File.Exists(file))
        {
            text += "\n" + string.Join('\n', File.ReadLines(file).TakeLast(40));
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM: the Server stops as under systemd; its end ends its namespaces' other processes.
        if (Pid > 0 && !_unshare.HasExited)
        {
            await HostTools.RunAsync("kill", ["-TERM", Pid.ToString()], TimeSpan.FromSeconds(10));
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _unshare.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _output.WriteLine("The packaged Server did not stop within 60 s of SIGTERM: killing its unshare (and so its namespaces).");
            _unshare.Kill();
            await _unshare.WaitForExitAsync(CancellationToken.None);
        }

        _output.WriteLine("--- packaged Server's console:\n" + ServerLog());
        _unshare.Dispose();
    }
}
