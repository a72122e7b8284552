using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking;
using SkillVL.Drivers.Qemu.Networking.Relay;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Overlay;

/// <summary>
/// Two simulated nodes on this machine: network namespaces "svlx-&lt;rand&gt;-n1"/"-n2" joined by an underlay
/// veth pair (198.18.1.1/24 and 198.18.1.2/24, RFC 2544 benchmarking space, MTU 1500), each with the REAL
/// <see cref="LinuxBridgeNetworkDriver"/> running its tools inside the namespace. Guests are namespaces
/// too ("svlx-&lt;rand&gt;-g..."), plugged into a node's bridge with a veth like a VM's tap. Everything lives in
/// namespaces this object created; nothing touches the host's own namespace, routes or firewall, and
/// dispose deletes every namespace (and with it every interface in it), also after a failed test.
/// </summary>
public sealed class TwoNodeUnderlay : IAsyncDisposable
{
    public const int UnderlayMtu = 1500;
    public const int GuestMtu = UnderlayMtu - 50;

    /// <summary>The relay's clocks in these tests: a cut link is noticed in 3 s and retried every ≤ 2 s.</summary>
    public static readonly RelayTimings RelayClocks = new()
    {
        KeepaliveInterval = TimeSpan.FromSeconds(1),
        IdleTimeout = TimeSpan.FromSeconds(3),
        ConnectTimeout = TimeSpan.FromSeconds(3),
        InitialBackoff = TimeSpan.FromMilliseconds(250),
        MaxBackoff = TimeSpan.FromSeconds(2),
    };

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(20);

    private readonly ITestOutputHelper _output;
    private readonly List<string> _namespaces = [];

    private TwoNodeUnderlay(ITestOutputHelper output, string prefix)
    {
        _output = output;
        Prefix = prefix;
        InstanceId = "itx" + ShortId.New()[..8];
        N1 = CreateNode(prefix + "-n1", "198.18.1.1");
        N2 = CreateNode(prefix + "-n2", "198.18.1.2");
    }

    /// <summary>"svlx-" + 6 random hex: every namespace of this testbed starts with it.</summary>
    public string Prefix { get; }

    /// <summary>The SkillVL instance both nodes belong to (the alias skillvl:&lt;id&gt; on our interfaces).</summary>
    public string InstanceId { get; }

    public SimulatedNode N1 { get; }

    public SimulatedNode N2 { get; }

    public static async Task<TwoNodeUnderlay> CreateAsync(ITestOutputHelper output)
    {
        HostTools.RequireRoot();
        HostTools.RequireTool("ip", "iproute2");
        HostTools.RequireTool("bridge", "iproute2");
        HostTools.RequireTool("ping", "iputils-ping");
        var testbed = new TwoNodeUnderlay(output, "svlx-" + ShortId.New()[..6]);
        try
        {
            foreach (var node in new[] { testbed.N1, testbed.N2 })
            {
                await testbed.AddNamespaceAsync(node.Namespace);
            }

            // The underlay: one veth pair between the two nodes, created directly inside them.
            await testbed.IpAsync("-n", testbed.N1.Namespace, "link", "add", "svlxu", "mtu", $"{UnderlayMtu}", "type", "veth",
                "peer", "name", "svlxu", "mtu", $"{UnderlayMtu}", "netns", testbed.N2.Namespace);
            foreach (var node in new[] { testbed.N1, testbed.N2 })
            {
                await testbed.IpAsync("-n", node.Namespace, "addr", "add", node.UnderlayAddress + "/24", "dev", "svlxu");
                await testbed.IpAsync("-n", node.Namespace, "link", "set", "dev", "svlxu", "up");
            }

            return testbed;
        }
        catch
        {
            await testbed.DisposeAsync();
            throw;
        }
    }

    public static NetworkSpec Spec(string networkId, int vni, SimulatedNode local, params SimulatedNode[] peers) =>
        new(networkId, GuestMtu, new VxlanOverlay(vni, local.UnderlayAddress, peers.Select(p => p.UnderlayAddress).ToList()));

    /// <summary>
    /// A guest namespace "&lt;prefix&gt;-&lt;name&gt;" whose eth0 (address <paramref name="cidrAddress"/>, MTU
    /// <paramref name="mtu"/>) is a veth whose other end, "svlxg&lt;name&gt;", is a port of
    /// <paramref name="networkId"/>'s bridge on <paramref name="node"/> (isolated like a tap: no IPv6).
    /// </summary>
    public async Task<Guest> AddGuestAsync(SimulatedNode node, string networkId, string name, string cidrAddress, int mtu = GuestMtu)
    {
        var guest = new Guest($"{Prefix}-{name}", "svlxg" + name, node, cidrAddress.Split('/')[0]);
        await AddNamespaceAsync(guest.Namespace);
        await IpAsync("-n", node.Namespace, "link", "add", guest.Port, "mtu", $"{mtu}", "type", "veth",
            "peer", "name", "eth0", "mtu", $"{mtu}", "netns", guest.Namespace);
        await SysctlAsync(node.Namespace, $"net.ipv6.conf.{guest.Port}.disable_ipv6=1");
        await IpAsync("-n", node.Namespace, "link", "set", "dev", guest.Port, "master", InterfaceNames.Bridge(networkId), "up");
        await IpAsync("-n", guest.Namespace, "addr", "add", cidrAddress, "dev", "eth0");
        await IpAsync("-n", guest.Namespace, "link", "set", "dev", "eth0", "up");
        return guest;
    }

    /// <summary>Sets the MTU of the guest's eth0 and of its bridge port.</summary>
    public async Task SetGuestMtuAsync(Guest guest, int mtu)
    {
        await IpAsync("-n", guest.Node.Namespace, "link", "set", "dev", guest.Port, "mtu", $"{mtu}");
        await IpAsync("-n", guest.Namespace, "link", "set", "dev", "eth0", "mtu", $"{mtu}");
    }

    /// <summary>iputils ping from inside the guest; the result, never an exception, for a failed ping.</summary>
    public async Task<(int ExitCode, string Output)> PingAsync(Guest from, string address, params string[] options)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync(
            "ip", ["netns", "exec", from.Namespace, "ping", "-n", .. options, address], ToolTimeout);
        var output = (stdout + stderr).Trim();
        _output.WriteLine($"[{from.Namespace}] ping {string.Join(' ', options)} {address} -> {exitCode}\n{output}");
        return (exitCode, output);
    }

    /// <summary>The MAC address the guest resolved <paramref name="address"/> to (its neighbour table), or null.</summary>
    public async Task<string?> NeighbourMacAsync(Guest guest, string address)
    {
        using var json = JsonDocument.Parse(await IpAsync("-n", guest.Namespace, "-j", "neigh", "show", "to", address, "dev", "eth0"));
        return json.RootElement.EnumerateArray()
            .Select(e => e.TryGetProperty("lladdr", out var mac) ? mac.GetString() : null)
            .FirstOrDefault(m => m is not null);
    }

    public async Task<string> MacAsync(Guest guest)
    {
        using var json = JsonDocument.Parse(await IpAsync("-n", guest.Namespace, "-j", "link", "show", "dev", "eth0"));
        return json.RootElement[0].GetProperty("address").GetString()!;
    }

    /// <summary>rx/tx packets and bytes of an interface on a node (<c>ip -j -s link</c>).</summary>
    public async Task<LinkCounters> CountersAsync(SimulatedNode node, string interfaceName)
    {
        using var json = JsonDocument.Parse(await IpAsync("-n", node.Namespace, "-j", "-s", "link", "show", "dev", interfaceName));
        var stats = json.RootElement[0].GetProperty("stats64");
        return new LinkCounters(
            stats.GetProperty("rx").GetProperty("packets").GetInt64(),
            stats.GetProperty("rx").GetProperty("bytes").GetInt64(),
            stats.GetProperty("tx").GetProperty("packets").GetInt64(),
            stats.GetProperty("tx").GetProperty("bytes").GetInt64());
    }

    /// <summary>One counter of the "Ip:" lines of the node's /proc/net/snmp (e.g. FragCreates, ReasmReqds).</summary>
    public async Task<long> IpCounterAsync(SimulatedNode node, string counter)
    {
        var snmp = await RunAsync("ip", "netns", "exec", node.Namespace, "cat", "/proc/net/snmp");
        var lines = snmp.Split('\n').Where(l => l.StartsWith("Ip: ", StringComparison.Ordinal)).ToList();
        var index = Array.IndexOf(lines[0].Split(' '), counter);
        return long.Parse(lines[1].Split(' ')[index], CultureInfo.InvariantCulture);
    }

    /// <summary>The links of a node (<c>ip -j -d link show</c> inside it).</summary>
    public async Task<IReadOnlyList<LinkInfo>> LinksAsync(SimulatedNode node) =>
        IpCommand.ParseLinks(await IpAsync("-n", node.Namespace, "-j", "-d", "link", "show"));

    /// <summary>A sysctl of an interface as the node sees it.</summary>
    public async Task<string> ReadSysctlAsync(SimulatedNode node, string key) =>
        (await RunAsync("ip", "netns", "exec", node.Namespace, "cat", "/proc/sys/" + key)).Trim();

    public Task<string> IpAsync(params string[] arguments) => RunAsync("ip", arguments);

    public Task<string> BridgeAsync(SimulatedNode node, params string[] arguments) =>
        RunAsync("ip", ["netns", "exec", node.Namespace, "bridge", .. arguments]);

    public async ValueTask DisposeAsync()
    {
        // The relays first: their threads, sockets and (non-persistent) taps belong to this process.
        foreach (var node in new[] { N1, N2 })
        {
            await node.Relays.DisposeAsync();
            if (Directory.Exists(node.TlsDirectory))
            {
                Directory.Delete(node.TlsDirectory, recursive: true);
            }
        }

        // Guests first, then the nodes; deleting a namespace deletes every interface in it (and the veth peers).
        foreach (var name in Enumerable.Reverse(_namespaces))
        {
            var (exitCode, _, stderr) = await HostTools.RunAsync("ip", ["netns", "del", name], ToolTimeout);
            if (exitCode != 0)
            {
                _output.WriteLine($"ip netns del {name} failed: {stderr.Trim()}");
            }
        }
    }

    private async Task AddNamespaceAsync(string name)
    {
        await RunAsync("ip", "netns", "add", name);
        _namespaces.Add(name);
        await IpAsync("-n", name, "link", "set", "dev", "lo", "up");
    }

    private Task<string> SysctlAsync(string networkNamespace, string assignment) =>
        RunAsync("ip", "netns", "exec", networkNamespace, "sysctl", "-q", "-w", assignment);

    private async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync(fileName, arguments, ToolTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({exitCode}): {stderr.Trim()}");
        }

        return stdout;
    }

    private SimulatedNode CreateNode(string networkNamespace, string underlayAddress)
    {
        // Only InstanceId, IpBinary and ToolTimeout matter to the network driver; the directories are never created.
        var options = new QemuDriverOptions
        {
            DataDirectory = "/nonexistent/svlx-data",
            RuntimeDirectory = "/nonexistent/svlx-run",
            InstanceId = InstanceId,
        };
        var loggers = new TestOutputLoggerFactory(_output);
        var runner = new NetnsCommandRunner(
            new ProcessCommandRunner(TimeProvider.System, loggers.CreateLogger<ProcessCommandRunner>()), networkNamespace);
        void InNamespace(Action work) => NetworkNamespaceThread.Run(networkNamespace, work);
        var sysctls = new InterfaceSysctls(writeContext: InNamespace);
        var ip = new IpCommand(options, runner);
        var tls = Path.Combine(Path.GetTempPath(), networkNamespace + "-tls");
        var relays = new NetworkRelays(
            options, ip, sysctls, tls, TimeProvider.System, loggers.CreateLogger<NetworkRelays>(), RelayClocks, InNamespace);
        var driver = new LinuxBridgeNetworkDriver(options, ip, sysctls, loggers.CreateLogger<LinuxBridgeNetworkDriver>(), relays);
        return new SimulatedNode(networkNamespace, underlayAddress, driver, relays, tls);
    }
}
