using System.Collections.Concurrent;
using System.Globalization;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// A /proc of its own for each testbed node's load report (the agents' <c>SKILLVL_AGENT_PROC_ROOT</c> test seam, ADR
/// 0035): the nodes of a testbed share the host's /proc, so without this every node reports the same load and "node2 is
/// hot, node1 is idle" cannot happen. Each node's directory holds a <c>stat</c> whose CPU counters advance all the time
/// at the share the test sets (the agent's reader takes the delta between two heartbeats, as on a real host), a
/// <c>loadavg</c> and a <c>meminfo</c>. Only what the agents report changes; the guests, QEMU and the migrations are real.
/// </summary>
internal sealed class InjectedNodeLoad : IAsyncDisposable
{
    /// <summary>The variable the agent's host reads (src/SkillVL.Agent.Host/Program.cs).</summary>
    public const string Variable = "SKILLVL_AGENT_PROC_ROOT";

    /// <summary>Ticks each node's CPU counters advance per step (USER_HZ is 100: a step is one CPU-second).</summary>
    private const ulong TicksPerStep = 100;

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);
    private static readonly SemaphoreSlim EnvironmentGate = new(1, 1);

    private readonly string _root;
    private readonly ConcurrentDictionary<string, double> _busy = new();
    private readonly Dictionary<string, (ulong Busy, ulong Idle)> _ticks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;

    /// <param name="root">A directory of the test's own; removed on dispose.</param>
    /// <param name="nodes">The testbed's node names.</param>
    /// <param name="busy">Every node's CPU share, 0–1, until <see cref="Set"/> changes one.</param>
    public InjectedNodeLoad(string root, IEnumerable<string> nodes, double busy)
    {
        _root = root;
        foreach (var node in nodes)
        {
            Directory.CreateDirectory(Path.Combine(root, node));
            _busy[node] = busy;
            _ticks[node] = (0, 0);
            WriteAll(node);
        }

        _writer = Task.Run(() => WriteLoopAsync(_stop.Token));
    }

    /// <summary>Sets a node's CPU share from now on; its agent reports it from its second heartbeat after this.</summary>
    public void Set(string node, double busy) => _busy[node] = busy;

    /// <summary>
    /// Runs <paramref name="start"/> (which starts the agents: the testbed's up) with the seam's variable set in this
    /// process, whose environment the agents inherit, and takes it away again: nothing else started later sees it.
    /// </summary>
    public async Task<T> ForAgentsStartedIn<T>(Func<Task<T>> start)
    {
        if (!await EnvironmentGate.WaitAsync(TimeSpan.FromMinutes(5)))
        {
            throw new TimeoutException($"another testbed has held {Variable} for 5 minutes");
        }

        var before = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, Path.Combine(_root, "{node}"));
        try
        {
            return await start();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, before);
            EnvironmentGate.Release();
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Step);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var node in _busy.Keys)
            {
                var busy = (ulong)Math.Round(Math.Clamp(_busy[node], 0, 1) * TicksPerStep);
                var (sumBusy, sumIdle) = _ticks[node];
                _ticks[node] = (sumBusy + busy, sumIdle + TicksPerStep - busy);
                WriteAll(node);
            }
        }
    }

    private void WriteAll(string node)
    {
        var (busy, idle) = _ticks[node];
        var share = _busy[node];
        // /proc/stat's aggregate line: user nice system idle iowait irq softirq steal.
        Write(node, "stat", string.Create(CultureInfo.InvariantCulture, $"cpu  {busy} 0 0 {idle} 0 0 0 0\n"));
        // A hot node has work queued; an idle one only the reader itself.
        Write(node, "loadavg", string.Create(CultureInfo.InvariantCulture, $"{share * 2:0.00} {share * 2:0.00} {share * 2:0.00} {(share >= 0.8 ? 4 : 1)}/200 4242\n"));
        Write(node, "meminfo", "MemTotal:        8388608 kB\nMemFree:         6000000 kB\nMemAvailable:    6291456 kB\n");
    }

    /// <summary>Written aside and renamed over, so that the agent never reads half a file.</summary>
    private void Write(string node, string name, string text)
    {
        var path = Path.Combine(_root, node, name);
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // The loop ends with the token, as meant.
        }

        _stop.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
