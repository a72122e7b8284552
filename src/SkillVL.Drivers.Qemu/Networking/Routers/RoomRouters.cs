using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Networking.Routers;

/// <summary>
/// Room routers on this node (ADR 0039): per router a network namespace of its own
/// (<see cref="NamespaceName"/>), one veth pair per leg (host end a port of the network's bridge, peer in the
/// namespace with the router's address), IPv4 forwarding inside the namespace only, the static routes, and
/// dnsmasq for DHCP and DNS when a leg asks for them. The namespace's only links are the room's bridges and it
/// has no default route, so nothing it forwards leaves the room; two rooms with identical CIDRs have separate
/// namespaces. Ensuring an unchanged router does nothing; a changed one is rebuilt (leases are cheap to renew).
/// </summary>
public sealed class RoomRouters : INodeRouters, IDisposable
{
    /// <summary>Prefix of a leg's host-side veth on the network's bridge (15 characters with the 12-hex hash).</summary>
    public const string HostVethPrefix = "svq";

    private const string PeerVethPrefix = "svp";
    private static readonly TimeSpan DnsmasqExitTimeout = TimeSpan.FromSeconds(5);

    private readonly QemuDriverOptions _options;
    private readonly IpCommand _ip;
    private readonly ICommandRunner _runner;
    private readonly InterfaceSysctls _sysctls;
    private readonly ILogger _logger;
    private readonly string _alias;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ProcFs _procFs = new();

    public RoomRouters(QemuDriverOptions options, IpCommand ip, ICommandRunner runner, InterfaceSysctls sysctls, ILogger<RoomRouters> logger)
    {
        _options = options;
        _ip = ip;
        _runner = runner;
        _sysctls = sysctls;
        _logger = logger;
        _alias = InterfaceNames.Alias(options.InstanceId);
    }

    /// <summary>"skillvl-&lt;instance&gt;-rt-&lt;router id&gt;": the instance id makes it ours, as the alias does for interfaces.</summary>
    public string NamespaceName(string routerId) => $"skillvl-{_options.InstanceId}-rt-{routerId}";

    /// <summary>The host end of the router's leg on a network: "svq" + 12 hex of SHA-256(router/network).</summary>
    public static string HostVeth(string routerId, string networkId) => HostVethPrefix + Hash(routerId, networkId);

    /// <summary>The ids of this instance's routers that exist on the node.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(_options.IpBinary, ["-j", "netns", "list"], _options.ToolTimeout, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"ip netns list failed: {result.StandardError.Trim()}", isTransient: true);
        }

        var prefix = NamespaceName("");
        return ParseNamespaces(result.StandardOutput)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && ShortId.IsValid(n[prefix.Length..]))
            .Select(n => n[prefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public async Task EnsureAsync(RouterSpec router, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(router);
        Validate(router);
        if (_options.StreamMode)
        {
            // A router is a namespace with legs on the networks' bridges; a stream-mode node has no bridges (ADR 0052).
            throw new Core.Errors.DriverException(
                $"Router {router.Id}: this node runs its VMs' networks in stream mode (--vm-network stream, ADR 0052) and has no bridges to put a router on.",
                isTransient: false);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var directory = StateDirectory(router.Id);
            var specFile = Path.Combine(directory, "router.json");
            var wanted = JsonSerializer.Serialize(router);
            // Unchanged and still serving: nothing to do but put back a leg whose bridge was recreated under it. A dnsmasq
            // that died (killed, crashed) or a leg that is gone is a reason to rebuild.
            if ((await ListAsync(cancellationToken)).Contains(router.Id)
                && File.Exists(specFile) && await File.ReadAllTextAsync(specFile, cancellationToken) == wanted
                && DnsmasqConfig.Instances(router).All(dns => DnsmasqPid(directory, dns) is not null)
                && await ReattachLegsAsync(router, cancellationToken))
            {
                return;
            }

            await DeleteCoreAsync(router.Id, cancellationToken);
            try
            {
                await CreateAsync(router, directory, cancellationToken);
                await File.WriteAllTextAsync(specFile, wanted, cancellationToken);
            }
            catch (Exception ex) when (ex is DriverException or IOException)
            {
                _logger.RouterFailed(router.Id, ex);
                await DeleteCoreAsync(router.Id, CancellationToken.None);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Stops the router's dnsmasq and removes its namespace (its veths go with it); a missing router is fine.</summary>
    public async Task DeleteAsync(string routerId, CancellationToken cancellationToken)
    {
        CheckId(routerId);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await DeleteCoreAsync(routerId, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Puts each leg's host end back on its network's bridge when it is not there: a bridge deleted (by hand, or by the
    /// reconciler) and made again comes back without ports, and the veth, which outlives it, would stay detached (issue
    /// 18). False when a leg's veth is gone altogether (the router is rebuilt then).
    /// </summary>
    private async Task<bool> ReattachLegsAsync(RouterSpec router, CancellationToken cancellationToken)
    {
        foreach (var leg in router.Legs)
        {
            var host = HostVeth(router.Id, leg.NetworkId);
            var bridge = InterfaceNames.Bridge(leg.NetworkId);
            var link = await _ip.ShowAsync(host, cancellationToken);
            if (link is null)
            {
                return false;
            }

            if (link.Master == bridge && link.IsUp)
            {
                continue;
            }

            if (await _ip.ShowAsync(bridge, cancellationToken) is null)
            {
                throw new DriverException($"Router {router.Id}: the bridge {bridge} of its leg is missing; the network is ensured first.", isTransient: true);
            }

            await _ip.RunAsync(["link", "set", host, "master", bridge, "up"], cancellationToken);
            _logger.RouterLegReattached(router.Id, host, bridge);
        }

        return true;
    }

    private async Task CreateAsync(RouterSpec router, string directory, CancellationToken cancellationToken)
    {
        var ns = NamespaceName(router.Id);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await _ip.RunAsync(["netns", "add", ns], cancellationToken);
        await _ip.RunAsync(["-n", ns, "link", "set", "lo", "up"], cancellationToken);

        // Forwarding is per namespace: switching it on here leaves the node's own forwarding as it was. IPv6 off, as
        // on the bridges: rooms are IPv4 and nothing may autoconfigure an address the room did not ask for.
        await InNamespaceAsync(ns, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], cancellationToken);
        for (var i = 0; i < router.Legs.Count; i++)
        {
            var leg = router.Legs[i];
            var hash = Hash(router.Id, leg.NetworkId);
            var host = HostVethPrefix + hash;
            var peer = PeerVethPrefix + hash;
            var mtu = leg.Mtu.ToString(CultureInfo.InvariantCulture);
            await _ip.RunAsync(["link", "add", host, "mtu", mtu, "type", "veth", "peer", "name", peer, "mtu", mtu, "netns", ns], cancellationToken);
            await _ip.RunAsync(["link", "set", host, "alias", _alias], cancellationToken);
            _sysctls.Isolate(host, isBridge: false);
            await _ip.RunAsync(["link", "set", host, "master", InterfaceNames.Bridge(leg.NetworkId), "up"], cancellationToken);
            var inside = DnsmasqConfig.LegInterface(i);
            await _ip.RunAsync(["-n", ns, "link", "set", peer, "name", inside], cancellationToken);
            await _ip.RunAsync(["-n", ns, "addr", "add", leg.Address, "dev", inside], cancellationToken);
            await _ip.RunAsync(["-n", ns, "link", "set", inside, "up"], cancellationToken);
        }

        foreach (var route in router.Routes)
        {
            await _ip.RunAsync(["-n", ns, "route", "add", route.To, "via", route.Via], cancellationToken);
        }

        var services = DnsmasqConfig.Needed(router);
        if (services)
        {
            await WritePrivateAsync(HostsFile(directory), DnsmasqConfig.Hosts(router), UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken);
        }

        foreach (var dns in DnsmasqConfig.Instances(router))
        {
            await StartDnsmasqAsync(router, dns, ns, directory, cancellationToken);
        }

        _logger.RouterCreated(router.Id, ns, router.Legs.Count, services);
    }

    private async Task StartDnsmasqAsync(RouterSpec router, bool dns, string ns, string directory, CancellationToken cancellationToken)
    {
        var name = DnsmasqConfig.InstanceName(dns);
        var config = Path.Combine(directory, name + ".conf");
        var leases = Path.Combine(directory, name + ".leases");
        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await WritePrivateAsync(leases, "", owner, cancellationToken);
        await WritePrivateAsync(config, DnsmasqConfig.Build(router, dns, PidFile(directory, dns), leases, HostsFile(directory)), owner, cancellationToken);

        // dnsmasq forks into the background once it has bound its sockets, so a zero exit means it serves. It runs as
        // root: its files are root-only (0600 in a 0700 directory), and it has no interface but the room's legs.
        var result = await _runner.RunAsync(
            _options.IpBinary,
            ["netns", "exec", ns, "dnsmasq", $"--conf-file={config}", "--user=root", "--group=root"],
            _options.ToolTimeout,
            cancellationToken);
        if (!result.Succeeded)
        {
            throw new DriverException($"Router {router.Id}: dnsmasq did not start: {result.StandardError.Trim()}", isTransient: false);
        }
    }

    private async Task DeleteCoreAsync(string routerId, CancellationToken cancellationToken)
    {
        var directory = StateDirectory(routerId);
        await StopDnsmasqAsync(directory, cancellationToken);
        var ns = NamespaceName(routerId);
        if ((await ListAsync(cancellationToken)).Contains(routerId))
        {
            await _ip.RunAsync(["netns", "del", ns], cancellationToken);
            _logger.RouterDeleted(routerId, ns);
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task StopDnsmasqAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var dns in new[] { true, false })
        {
            if (DnsmasqPid(directory, dns) is not { } pid)
            {
                continue;
            }

            using var process = Process.GetProcessById(pid);
            process.Kill();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(DnsmasqExitTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
    }

    /// <summary>The pid of the live dnsmasq instance started with this router's files, or null. Only that one: a stale pid
    /// file may name a pid the kernel has since given to another program (<see cref="ProcFs.IsLiveProcessOf"/>).</summary>
    private int? DnsmasqPid(string directory, bool dns) =>
        ProcFs.ReadPidFile(PidFile(directory, dns)) is { } pid && _procFs.IsLiveProcessOf(pid, directory) ? pid : null;

    private Task InNamespaceAsync(string ns, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        _ip.RunAsync(["netns", "exec", ns, .. command], cancellationToken);

    private string StateDirectory(string routerId) => Path.Combine(_options.RuntimeDirectory, "routers", routerId);

    private static string PidFile(string directory, bool dns) => Path.Combine(directory, DnsmasqConfig.InstanceName(dns) + ".pid");

    private static string HostsFile(string directory) => Path.Combine(directory, "hosts");

    private static async Task WritePrivateAsync(string path, string text, UnixFileMode mode, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = mode,
        });
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private static void Validate(RouterSpec router)
    {
        CheckId(router.Id);
        if (router.Legs.Count == 0)
        {
            throw new ArgumentException($"Router {router.Id} has no legs.", nameof(router));
        }

        foreach (var leg in router.Legs)
        {
            if (!ShortId.IsValid(leg.NetworkId) || !Core.Addressing.Ipv4Cidr.TryParseHostWithPrefix(leg.Address, out _, out _)
                || leg.Mtu is < 68 or > 65535 || (leg.DhcpFirst is null) != (leg.DhcpLast is null)
                || (leg.DhcpFirst is not null && (!Core.Addressing.Ipv4Address.TryParse(leg.DhcpFirst, out _) || !Core.Addressing.Ipv4Address.TryParse(leg.DhcpLast, out _))))
            {
                throw new ArgumentException($"Router {router.Id}: leg on network '{leg.NetworkId}' is invalid.", nameof(router));
            }
        }

        // Everything below reaches dnsmasq's configuration or hosts file, which dnsmasq (root in the namespace) reads as
        // lines: the spec is a wire type, so it is checked here too, not only by the Server's room validation.
        foreach (var route in router.Routes)
        {
            if (!Core.Addressing.Ipv4Cidr.TryParse(route.To, out _) || !Core.Addressing.Ipv4Address.TryParse(route.Via, out _))
            {
                throw new ArgumentException($"Router {router.Id}: route to '{route.To}' via '{route.Via}' is invalid.", nameof(router));
            }
        }

        foreach (var hostEntry in router.Hosts)
        {
            if (!IsHostName(hostEntry.Name) || !Core.Addressing.Ipv4Address.TryParse(hostEntry.Address, out _))
            {
                throw new ArgumentException($"Router {router.Id}: host '{hostEntry.Name}' at '{hostEntry.Address}' is invalid.", nameof(router));
            }
        }
    }

    /// <summary>Letters, digits, '-' and '.', at most 253: nothing that could end a line or start an option in dnsmasq's files.</summary>
    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.') && name[0] != '-';

    private static void CheckId(string routerId)
    {
        if (!ShortId.IsValid(routerId))
        {
            throw new ArgumentException($"Router id '{routerId}' is not a 12-hex platform id.", nameof(routerId));
        }
    }

    private static string Hash(string routerId, string networkId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(routerId + "/" + networkId)))[..12];

    /// <summary>Parses <c>ip -j netns list</c> (an empty output when there are none).</summary>
    public static IReadOnlyList<string> ParseNamespaces(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(e => e.TryGetProperty("name", out var name) ? name.GetString() : null)
            .OfType<string>()
            .ToList();
    }
}
