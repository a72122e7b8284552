using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SkillVL.TestUtilities;

/// <summary>
/// A real Ceph of Debian's packages (16.2, ceph-mon, ceph-mgr, ceph-osd), private to a test class: its own fsid and
/// conf file in a temporary directory (run, log, admin socket and data directories inside it; never /etc/ceph or
/// /var/lib/ceph), one monitor on 127.0.0.1 at a free port (msgr2 only), one manager, one OSD with bluestore on a
/// sparse file, cephx on, pool size 1. <see cref="Pool"/> is initialised for RBD and <see cref="User"/> may use it
/// with <c>profile rbd</c>, as a node's key would. Disposing stops each daemon by the pid it started and removes the
/// directory. Daemons run in the foreground (<c>-f</c>) as children of the test, so their pids are ours.
/// </summary>
public sealed class CephCluster : IAsyncDisposable
{
    /// <summary>The pool the cluster makes for RBD disks.</summary>
    public const string Pool = "skillvl";

    /// <summary>The cephx user (without <c>client.</c>) that may use <see cref="Pool"/>.</summary>
    public const string User = "skillvl";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private readonly List<Process> _daemons = [];
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    private CephCluster(string directory, int port)
    {
        Directory = directory;
        MonitorPort = port;
    }

    /// <summary>The cluster's directory: conf, keyrings, data, logs.</summary>
    public string Directory { get; }

    public int MonitorPort { get; }

    public string ConfPath => Path.Combine(Directory, "ceph.conf");

    /// <summary>The keyring of <see cref="User"/> (mode 0600).</summary>
    public string UserKeyring => Path.Combine(Directory, $"client.{User}.keyring");

    /// <summary>How long <see cref="StartAsync"/> took.</summary>
    public TimeSpan StartTime { get; private set; }

    /// <summary>Makes and starts the cluster; fails (never skips) when Ceph is not installed, and with the daemons' log
    /// tails when it is not up within two minutes.</summary>
    public static async Task<CephCluster> StartAsync()
    {
        HostTools.RequireRoot();
        foreach (var tool in new[] { "ceph-mon", "ceph-mgr", "ceph-osd" })
        {
            HostTools.RequireTool(tool, tool);
        }

        HostTools.RequireTool("rbd", "ceph-common");

        // Short: the admin sockets live below it, and a unix socket's path must fit in 107 bytes.
        var directory = System.IO.Directory.CreateTempSubdirectory("svl-ceph-").FullName;
        var cluster = new CephCluster(directory, FreePort());
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            try
            {
                await cluster.BootstrapAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The Ceph test cluster was not up within {StartTimeout.TotalSeconds} s.\n{cluster.LogTails()}");
            }

            cluster.StartTime = cluster._sinceStart.Elapsed;
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>ceph</c> as client.admin with <paramref name="arguments"/>; throws on a non-zero exit.</summary>
    public Task<string> CephAsync(params string[] arguments) => AdminToolAsync("ceph", arguments, CancellationToken.None);

    /// <summary>Runs <c>rbd</c> as client.admin with <paramref name="arguments"/>; throws on a non-zero exit.</summary>
    public Task<string> RbdAsync(params string[] arguments) => AdminToolAsync("rbd", arguments, CancellationToken.None);

    /// <summary>The names of the images in <see cref="Pool"/>.</summary>
    public async Task<IReadOnlyList<string>> ImagesAsync()
    {
        var json = await RbdAsync("ls", "--format", "json", Pool);
        return System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? [];
    }

    /// <summary>A conf file of a cluster nobody listens for: the same fsid and keys, a monitor port that is closed.</summary>
    public string WriteDeadMonitorConf()
    {
        var dead = Path.Combine(Directory, "dead.conf");
        File.WriteAllText(dead, File.ReadAllText(ConfPath).Replace(
            $"127.0.0.1:{MonitorPort}]", $"127.0.0.1:{FreePort()}]", StringComparison.Ordinal));
        return dead;
    }

    public async ValueTask DisposeAsync()
    {
        // The OSD first, then the manager and the monitor: each by the pid this object started.
        for (var i = _daemons.Count - 1; i >= 0; i--)
        {
            var daemon = _daemons[i];
            try
            {
                if (!daemon.HasExited)
                {
                    daemon.Kill();
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await daemon.WaitForExitAsync(wait.Token);
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }
            finally
            {
                daemon.Dispose();
            }
        }

        _daemons.Clear();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private async Task BootstrapAsync(CancellationToken cancellationToken)
    {
        var fsid = Guid.NewGuid().ToString();
        foreach (var sub in new[] { "run", "log", "crash", "mon/ceph-a", "mgr/ceph-x" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        }

        await File.WriteAllTextAsync(ConfPath, Conf(fsid), cancellationToken);
        var monKeyring = Path.Combine(Directory, "mon.keyring");
        var adminKeyring = Path.Combine(Directory, "client.admin.keyring");
        await ToolAsync("ceph-authtool", ["--create-keyring", monKeyring, "--gen-key", "-n", "mon.", "--cap", "mon", "allow *"], cancellationToken);
        await ToolAsync("ceph-authtool", ["--create-keyring", adminKeyring, "--gen-key", "-n", "client.admin",
            "--cap", "mon", "allow *", "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *"], cancellationToken);
        await ToolAsync("ceph-authtool", [monKeyring, "--import-keyring", adminKeyring], cancellationToken);
        var monmap = Path.Combine(Directory, "monmap");
        await ToolAsync("monmaptool", ["--create", "--fsid", fsid, "--addv", "a", MonitorAddress, monmap], cancellationToken);
        await ToolAsync("ceph-mon", ["-c", ConfPath, "--mkfs", "-i", "a", "--monmap", monmap, "--keyring", monKeyring], cancellationToken);
        StartDaemon("ceph-mon", ["-c", ConfPath, "-i", "a", "-f"]);

        await AdminToolAsync("ceph", ["auth", "get-or-create", "mgr.x", "mon", "allow profile mgr", "osd", "allow *", "mds", "allow *",
            "-o", Path.Combine(Directory, "mgr.x.keyring")], cancellationToken);
        StartDaemon("ceph-mgr", ["-c", ConfPath, "-i", "x", "-f"]);

        // The OSD as vstart.sh makes one: a cephx key, "osd new" for its id, then mkfs (bluestore makes its sparse file).
        var osdUuid = Guid.NewGuid().ToString();
        var osdKey = (await ToolAsync("ceph-authtool", ["--gen-print-key"], cancellationToken)).Trim();
        var secrets = Path.Combine(Directory, "osd-secrets.json");
        await File.WriteAllTextAsync(secrets, $"{{\"cephx_secret\": \"{osdKey}\"}}", cancellationToken);
        var osdId = (await AdminToolAsync("ceph", ["osd", "new", osdUuid, "-i", secrets], cancellationToken)).Trim();
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "osd", "ceph-" + osdId));
        await ToolAsync("ceph-authtool", ["--create-keyring", Path.Combine(Directory, $"osd.{osdId}.keyring"), "--name", "osd." + osdId, "--add-key", osdKey], cancellationToken);
        await ToolAsync("ceph-osd", ["-c", ConfPath, "-i", osdId, "--mkfs", "--key", osdKey, "--osd-uuid", osdUuid], cancellationToken);
        StartDaemon("ceph-osd", ["-c", ConfPath, "-i", osdId, "-f"]);

        await AdminToolAsync("ceph", ["osd", "pool", "create", Pool, "8", "8"], cancellationToken);
        await AdminToolAsync("ceph", ["osd", "pool", "set", Pool, "size", "1", "--yes-i-really-mean-it"], cancellationToken);

        // Waits for the OSD: the pool's first write.
        await AdminToolAsync("rbd", ["pool", "init", Pool], cancellationToken);
        await AdminToolAsync("ceph", ["auth", "get-or-create", "client." + User, "mon", "profile rbd", "osd", $"profile rbd pool={Pool}",
            "mgr", $"profile rbd pool={Pool}", "-o", UserKeyring], cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(UserKeyring, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private string MonitorAddress => $"[v2:127.0.0.1:{MonitorPort.ToString(CultureInfo.InvariantCulture)}]";

    /// <summary>Everything in the cluster's directory; small memory and no redundancy: a test cluster of one OSD.</summary>
    private string Conf(string fsid) => $"""
        [global]
        fsid = {fsid}
        mon host = {MonitorAddress}
        public addr = 127.0.0.1
        ms bind msgr1 = false
        ms bind ipv6 = false
        run dir = {Directory}/run
        admin socket = {Directory}/run/$name.asok
        log file = {Directory}/log/$name.log
        crash dir = {Directory}/crash
        keyring = {Directory}/$name.keyring
        auth cluster required = cephx
        auth service required = cephx
        auth client required = cephx
        auth allow insecure global id reclaim = false
        mon allow pool size one = true
        mon warn on pool no redundancy = false
        osd pool default size = 1
        osd pool default min size = 1
        osd pool default pg autoscale mode = off
        osd crush chooseleaf type = 0
        mon data = {Directory}/mon/$cluster-$id
        mgr data = {Directory}/mgr/$cluster-$id
        osd data = {Directory}/osd/$cluster-$id
        osd objectstore = bluestore
        bluestore block create = true
        bluestore block size = 4294967296
        bluestore fsck on mount = false
        bluestore cache autotune = false
        bluestore cache size = 67108864
        osd memory target = 939524096
        osd op num shards = 1
        osd op num threads per shard = 2
        mon data avail warn = 1
        mon data avail crit = 0

        """;

    private void StartDaemon(string daemon, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(daemon) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{daemon} did not start.");
        _daemons.Add(process);

        // Drained so a chatty daemon never blocks on a full pipe; its log file has everything.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private Task<string> AdminToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        ToolAsync(tool, ["-c", ConfPath, "--id", "admin", "--client-mount-timeout", "30", .. arguments], cancellationToken);

    private async Task<string> ToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var dead = _daemons.FirstOrDefault(d => d.HasExited);
        if (dead is not null)
        {
            throw new InvalidOperationException($"A Ceph daemon exited ({dead.ExitCode}).\n{LogTails()}");
        }

        var (code, stdout, stderr) = await HostTools.RunAsync(tool, arguments, ToolTimeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({code}): {stdout}{stderr}\n{LogTails()}");
        }

        return stdout;
    }

    private string LogTails()
    {
        var text = new StringBuilder();
        var logs = Path.Combine(Directory, "log");
        if (!System.IO.Directory.Exists(logs))
        {
            return "";
        }

        foreach (var log in System.IO.Directory.GetFiles(logs, "*.log").Where(l => !Path.GetFileName(l).StartsWith("client.", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(log);
            text.Append("--- ").AppendLine(Path.GetFileName(log)).AppendJoin('\n', lines.TakeLast(15)).AppendLine();
        }

        return text.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
