using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.LinkEmulator.IntegrationTests;

/// <summary>
/// A real two-host path through the emulator on this machine:
/// <code>
///   netns svlt-ID-a                          root namespace                          netns svlt-ID-b
///   svltIDa 198.18.0.1/24  ==tap fd==>  skillvl-linkem (taps opened here)  ==tap fd==>  svltIDb 198.18.0.2/24
/// </code>
/// The emulator creates both taps in the root namespace; the testbed then moves each into its own namespace
/// (the open tap fds keep working there). Addresses come from 198.18.0.0/15 (RFC 2544 benchmarking range), live
/// only on these two taps, and there is no route or NAT to anything else; IPv6 is off in both namespaces and
/// the neighbours are static, so the only frames on the link are the test's own. Everything is named
/// svlt-ID / svltID and removed by <see cref="DisposeAsync"/>, which also runs when a test fails.
/// </summary>
internal sealed class LinkTestbed : IAsyncDisposable
{
    public const string AddressA = "198.18.0.1";
    public const string AddressB = "198.18.0.2";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;
    private readonly List<Process> _processes = [];
    private LinkemProcess? _linkem;
    private bool _disposed;

    private LinkTestbed(ITestOutputHelper output)
    {
        _output = output;
        var id = Guid.NewGuid().ToString("N")[..6];
        Id = id;
        NamespaceA = $"svlt-{id}-a";
        NamespaceB = $"svlt-{id}-b";
        TapA = $"svlt{id}a";
        TapB = $"svlt{id}b";
    }

    public string Id { get; }

    public string NamespaceA { get; }

    public string NamespaceB { get; }

    public string TapA { get; }

    public string TapB { get; }

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public LinkemProcess Linkem => _linkem ?? throw new InvalidOperationException("The emulator is not running.");

    /// <summary>Checks the tools, starts the emulator with <paramref name="linkemArguments"/> and builds the path around it.</summary>
    public static async Task<LinkTestbed> StartAsync(ITestOutputHelper output, params string[] linkemArguments)
    {
        HostTools.RequireRoot();
        HostTools.RequireTool("ip", "iproute2");
        HostTools.RequireTool("ping", "iputils-ping");
        HostTools.RequireTool("iperf3", "iperf3");

        var bed = new LinkTestbed(output);
        try
        {
            await bed.BuildAsync(linkemArguments);
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command inside namespace A or B (bounded); throws with its output when it fails.</summary>
    public async Task<string> ExecAsync(string @namespace, TimeSpan timeout, params string[] command)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", ["netns", "exec", @namespace, .. command], timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip netns exec {@namespace} {string.Join(' ', command)} exited {exitCode}:\n{stdout}\n{stderr}");
        }

        return stdout;
    }

    /// <summary>Starts a long-running command in a namespace; it is killed (by pid) in <see cref="DisposeAsync"/> if still running.</summary>
    public Process Spawn(string @namespace, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["netns", "exec", @namespace, .. command])
        {
            start.ArgumentList.Add(argument);
        }

        // `ip netns exec` execs the command in place, so this pid is the command's own.
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {command[0]} in {@namespace}.");
        _processes.Add(process);
        return process;
    }

    /// <summary>What is left of this testbed on the host: interfaces and namespaces whose names carry its id.</summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var interfaces = (await HostInterfaces.AllAsync()).Where(n => n.Contains(Id, StringComparison.Ordinal));
        var (_, namespaces, _) = await HostTools.RunAsync("ip", ["netns", "list"], CommandTimeout);
        return [.. interfaces, .. namespaces.Split('\n').Where(n => n.Contains(Id, StringComparison.Ordinal))];
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                _output.WriteLine($"cleanup: process {process.Id}: {e.Message}");
            }

            process.Dispose();
        }

        if (_linkem is not null)
        {
            await _linkem.DisposeAsync();
        }

        // Deleting a namespace destroys the virtual interfaces in it; the taps the emulator created also vanish
        // with its process. The link deletes are for taps that never made it into a namespace.
        foreach (var command in (string[][])[
                     ["netns", "del", NamespaceA], ["netns", "del", NamespaceB], ["link", "del", "dev", TapA], ["link", "del", "dev", TapB]])
        {
            await HostTools.RunAsync("ip", command, CommandTimeout);
        }
    }

    private async Task BuildAsync(string[] linkemArguments)
    {
        _linkem = LinkemProcess.Start(["--tap-a", TapA, "--tap-b", TapB, .. linkemArguments], Clock);
        var started = await _linkem.WaitStartedAsync(TimeSpan.FromSeconds(30));
        _output.WriteLine($"skillvl-linkem {string.Join(' ', linkemArguments)}: scheduling {started.GetProperty("scheduling")}, seed {started.GetProperty("seed")}");

        await Ip("netns", "add", NamespaceA);
        await Ip("netns", "add", NamespaceB);
        foreach (var (ns, tap, address) in new[] { (NamespaceA, TapA, AddressA), (NamespaceB, TapB, AddressB) })
        {
            // IPv6 off before the tap arrives (a moved interface takes the namespace's defaults): no router
            // solicitations or DAD probes on the link.
            await ExecAsync(ns, CommandTimeout, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            await Ip("link", "set", "dev", tap, "netns", ns);
            await Ip("-n", ns, "link", "set", "dev", "lo", "up");
            await Ip("-n", ns, "address", "add", address + "/24", "dev", tap);
            await Ip("-n", ns, "link", "set", "dev", tap, "up");
        }

        // Static neighbours: no ARP on the link, so the first ping is not an ARP round trip longer and the
        // loss test counts only pings.
        var macA = await MacAsync(NamespaceA, TapA);
        var macB = await MacAsync(NamespaceB, TapB);
        await Ip("-n", NamespaceA, "neigh", "replace", AddressB, "lladdr", macB, "dev", TapA, "nud", "permanent");
        await Ip("-n", NamespaceB, "neigh", "replace", AddressA, "lladdr", macA, "dev", TapB, "nud", "permanent");
    }

    private async Task<string> MacAsync(string @namespace, string tap)
    {
        var json = await Ip("-n", @namespace, "-j", "link", "show", "dev", tap);
        using var document = JsonDocument.Parse(json);
        return document.RootElement[0].GetProperty("address").GetString()!;
    }

    private async Task<string> Ip(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync("ip", arguments, CommandTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', arguments)} exited {exitCode}: {stderr}");
        }

        return stdout;
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
