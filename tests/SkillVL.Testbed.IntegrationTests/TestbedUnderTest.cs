using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;
using SkillVL.Testbed.Status;
using SkillVL.TestUtilities;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// A testbed of one test, with its own prefix, subnet and state directory (<see cref="TestbedNames"/>). Remembers
/// every process the testbed recorded; <see cref="DisposeAsync"/> runs <c>down</c> and then removes by hand whatever
/// is still there — only names carrying this test's prefix and only the recorded pids (with their start times) —
/// so nothing is left even when a test or <c>down</c> fails.
/// </summary>
internal sealed class TestbedUnderTest : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private readonly Action<string> _log;
    private readonly Dictionary<int, ulong> _processes = [];
    private bool _disposed;

    public TestbedUnderTest(Action<string> log)
    {
        HostTools.RequireRoot();
        HostTools.RequireTool("ip", "iproute2");
        _log = log;
        Names = TestbedNames.Create();
        Controller = new TestbedController(Progress, TimeProvider.System);
    }

    public TestbedNames Names { get; }

    /// <summary>What the testbed printed while working (shown in the test output on dispose).</summary>
    public SynchronizedWriter Progress { get; } = new();

    public TestbedController Controller { get; }

    /// <summary>Processes the testbed recorded, pid → start time (clock ticks after boot).</summary>
    public IReadOnlyDictionary<int, ulong> Processes
    {
        get
        {
            RememberProcesses();
            return _processes;
        }
    }

    /// <summary>A request for this test's names; no agents unless the test says otherwise.</summary>
    public UpRequest Request(int nodes, params string[] clients) => new()
    {
        Nodes = nodes,
        Clients = clients,
        Prefix = Names.Prefix,
        Subnet = Names.Subnet,
        StateDirectory = Names.StateDirectory,
        NoAgents = true,
    };

    public async Task<TestbedStatus> UpAsync(UpRequest request)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await Bounded.WithinAsync(Controller.UpAsync(request, CancellationToken.None), TimeSpan.FromMinutes(2), "testbed up");
        }
        finally
        {
            _log(string.Create(CultureInfo.InvariantCulture, $"up took {clock.Elapsed.TotalSeconds:0.00} s"));
            RememberProcesses();
        }
    }

    public async Task<DownReport> DownAsync()
    {
        RememberProcesses();
        var clock = Stopwatch.StartNew();
        var report = await Bounded.WithinAsync(Controller.DownAsync(Names.StateDirectory, CancellationToken.None), TimeSpan.FromMinutes(2), "testbed down");
        _log(string.Create(CultureInfo.InvariantCulture, $"down took {clock.Elapsed.TotalSeconds:0.00} s"));
        return report;
    }

    /// <summary>
    /// What of this testbed is on the host: interfaces named with the prefix or carrying its alias, namespaces,
    /// IPv4 addresses in its subnet, recorded processes that still run, and the state directory.
    /// </summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var leftovers = new List<string>();
        var (_, links, _) = await HostTools.RunAsync("ip", ["-j", "link", "show"], CommandTimeout);
        using (var document = JsonDocument.Parse(links))
        {
            foreach (var link in document.RootElement.EnumerateArray())
            {
                var name = link.GetProperty("ifname").GetString()!;
                var alias = link.TryGetProperty("ifalias", out var a) ? a.GetString() : null;
                if (name.StartsWith(Names.Prefix, StringComparison.Ordinal) || alias == TestbedPlan.AliasPrefix + Names.Prefix)
                {
                    leftovers.Add($"interface {name}");
                }
            }
        }

        var (_, addresses, _) = await HostTools.RunAsync("ip", ["-j", "-4", "address", "show"], CommandTimeout);
        var network = Names.Subnet[..Names.Subnet.LastIndexOf('.')] + ".";
        using (var document = JsonDocument.Parse(addresses))
        {
            foreach (var link in document.RootElement.EnumerateArray())
            {
                foreach (var info in link.GetProperty("addr_info").EnumerateArray())
                {
                    var local = info.GetProperty("local").GetString()!;
                    if (local.StartsWith(network, StringComparison.Ordinal))
                    {
                        leftovers.Add($"address {local} on {link.GetProperty("ifname").GetString()}");
                    }
                }
            }
        }

        leftovers.AddRange((await NamespacesAsync()).Select(n => $"netns {n}"));
        leftovers.AddRange(_processes.Where(p => IsAlive(p.Key, p.Value)).Select(p => $"process {p.Key}"));
        if (Directory.Exists(Names.StateDirectory))
        {
            leftovers.Add($"directory {Names.StateDirectory}");
        }

        return leftovers;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        RememberProcesses();
        try
        {
            await Controller.DownAsync(Names.StateDirectory, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (Exception e)
        {
            _log($"cleanup: down failed: {e.Message}");
        }

        // Whatever down left (it should be nothing): recorded pids only, names with this test's prefix only.
        foreach (var (pid, startTime) in _processes.Where(p => IsAlive(p.Key, p.Value)))
        {
            _log($"cleanup: killing leftover pid {pid}");
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }

        foreach (var ns in await NamespacesAsync())
        {
            _log($"cleanup: deleting leftover netns {ns}");
            await HostTools.RunAsync("ip", ["netns", "del", ns], CommandTimeout);
        }

        foreach (var name in (await HostInterfaces.AllAsync()).Where(n => n.StartsWith(Names.Prefix, StringComparison.Ordinal)))
        {
            _log($"cleanup: deleting leftover interface {name}");
            await HostTools.RunAsync("ip", ["link", "del", "dev", name], CommandTimeout);
        }

        if (Directory.Exists(Names.StateDirectory))
        {
            Directory.Delete(Names.StateDirectory, recursive: true);
        }

        _log("testbed progress:\n" + Progress);
    }

    /// <summary>Alive = /proc/PID exists, is not a zombie, and has the recorded start time (so not a reused pid).</summary>
    public static bool IsAlive(int pid, ulong startTime)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[0] is not ("Z" or "X") && ulong.Parse(fields[19], CultureInfo.InvariantCulture) == startTime;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task<IReadOnlyList<string>> NamespacesAsync()
    {
        var (_, stdout, _) = await HostTools.RunAsync("ip", ["-j", "netns", "list"], CommandTimeout);
        if (string.IsNullOrWhiteSpace(stdout))
        {
            return [];
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("name").GetString()!)
            .Where(n => n.StartsWith(Names.Prefix + "-", StringComparison.Ordinal))
            .ToList();
    }

    private void RememberProcesses()
    {
        TestbedState? state;
        try
        {
            state = StateFile.Load(Path.Combine(Names.StateDirectory, TestbedPlan.StateFileName));
        }
        catch (TestbedException)
        {
            return;
        }

        foreach (var node in state?.Nodes ?? [])
        {
            foreach (var record in new[] { node.Agent, node.Link?.Emulator })
            {
                if (record is not null)
                {
                    _processes[record.Pid] = record.StartTime;
                }
            }
        }
    }
}
