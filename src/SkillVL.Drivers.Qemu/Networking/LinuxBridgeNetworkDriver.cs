using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// Room networks as Linux bridges, one per network ("svb" + network id). Rooms are isolated from each other
/// and from the host's uplink because each network is its own bridge, a bridge forwards only between its own
/// ports (the taps of that network's VMs), the host has no address on it, does not speak IPv6 on it, does
/// not answer ARP on it and does not route anything that arrives on it (<see cref="InterfaceSysctls.Isolate"/>).
/// Nothing here adds a route, NAT rule or uplink port. A network that spans nodes also has a VXLAN device
/// ("svx" + network id) as one more port of its bridge (<see cref="VxlanDevices"/>, ADR 0007); its VNI keeps
/// it apart from every other network in the underlay. On a client node the bridge instead gets a relay port that carries
/// its frames over one outbound TLS connection to a hub; on that hub each attached client is a port of the bridge
/// (<see cref="Relay.NetworkRelays"/>, ADR 0019).
/// </summary>
public sealed class LinuxBridgeNetworkDriver : INetworkDriver
{
    private readonly IpCommand _ip;
    private readonly InterfaceSysctls _sysctls;
    private readonly VxlanDevices _vxlans;
    private readonly string _alias;
    private readonly ILogger _logger;
    private readonly Relay.NetworkRelays? _relays;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _networkLocks = new(StringComparer.Ordinal);

    public LinuxBridgeNetworkDriver(
        QemuDriverOptions options,
        IpCommand ip,
        InterfaceSysctls sysctls,
        ILogger<LinuxBridgeNetworkDriver> logger,
        Relay.NetworkRelays? relays = null)
    {
        _relays = relays;
        _ip = ip;
        _sysctls = sysctls;
        _vxlans = new VxlanDevices(options, ip, sysctls, logger);
        _alias = InterfaceNames.Alias(options.InstanceId);
        _logger = logger;
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var links = await _ip.ListAsync(cancellationToken);

        // A VXLAN device without its bridge (the bridge deleted by hand, or a crash between the two deletes)
        // still names its network, so the orphan sweep's DeleteAsync finds and removes it.
        return links
            .Where(l => l.Alias == _alias)
            .Select(l => l.Kind switch
            {
                "bridge" => InterfaceNames.IdFrom(l.Name, InterfaceNames.BridgePrefix),
                "vxlan" => InterfaceNames.IdFrom(l.Name, InterfaceNames.VxlanPrefix),
                _ => null,
            })
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Makes the bridge exist, isolated and up with the spec's MTU; with an <see cref="NetworkSpec.Overlay"/>
    /// also its VXLAN port with exactly the spec's peers, without one no VXLAN port. Invalid input throws
    /// <see cref="ArgumentException"/> before anything is changed.
    /// </summary>
    public async Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        if (network.Mtu is < 68 or > 65535)
        {
            throw new ArgumentException($"Network {network.Id}: MTU {network.Mtu} is out of range.", nameof(network));
        }

        Relay.NetworkRelays.Validate(network);
        if (_relays is null && (network.Relay is not null || network.RelayHub is not null))
        {
            throw new DriverException($"Network {network.Id}: this node has no room-network relay (ADR 0019), so it can be neither a relay client nor a hub.", isTransient: false);
        }

        // One change per network at a time: the reconciler and a migration's prepare may ensure the same network on
        // the same node at once, and two check-then-create runs collide ("RTNETLINK answers: File exists").
        await WithNetworkLockAsync(network.Id, () => EnsureCoreAsync(network, cancellationToken), cancellationToken);
    }

    private async Task WithNetworkLockAsync(string networkId, Func<Task> change, CancellationToken cancellationToken)
    {
        var gate = _networkLocks.GetOrAdd(networkId, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await change();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task EnsureCoreAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        var overlay = network.Overlay is null ? null : VxlanDevices.Normalize(network.Id, network.Overlay);
        await EnsureBridgeAsync(network, cancellationToken);
        if (overlay is null)
        {
            // The network no longer spans nodes (or never did): no tunnel port may stay on its bridge.
            await _vxlans.DeleteAsync(network.Id, cancellationToken);
        }
        else
        {
            await _vxlans.EnsureAsync(network.Id, network.Mtu, overlay, cancellationToken);
        }

        if (_relays is not null)
        {
            await _relays.EnsureAsync(network, cancellationToken);
        }
    }

    public async Task DeleteAsync(string networkId, CancellationToken cancellationToken)
    {
        await WithNetworkLockAsync(networkId, () => DeleteCoreAsync(networkId, cancellationToken), cancellationToken);
    }

    private async Task DeleteCoreAsync(string networkId, CancellationToken cancellationToken)
    {
        // The tunnels first (VXLAN, relays), so nothing from other nodes arrives on a bridge that is going away; a crash in
        // between leaves the bridge, which ListAsync reports and the next sweep deletes.
        await _vxlans.DeleteAsync(networkId, cancellationToken);
        if (_relays is not null)
        {
            await _relays.RemoveAsync(networkId, cancellationToken);
        }

        var bridge = InterfaceNames.Bridge(networkId);
        var existing = await _ip.ShowAsync(bridge, cancellationToken);
        if (existing is null)
        {
            return;
        }

        if (existing.Alias != _alias)
        {
            // Not ours (another instance, or never finished): leave it.
            _logger.InterfaceOfOtherOwner(bridge, existing.Alias ?? "(no alias)");
            return;
        }

        // Deleting a bridge detaches its ports; the taps stay and belong to their VMs.
        await _ip.DeleteAsync(bridge, cancellationToken);
        _logger.BridgeDeleted(bridge);
    }

    /// <summary>True when the network's bridge exists and belongs to this instance.</summary>
    public async Task<bool> ExistsAsync(string networkId, CancellationToken cancellationToken)
    {
        var existing = await _ip.ShowAsync(InterfaceNames.Bridge(networkId), cancellationToken);
        return existing is { Kind: "bridge" } && existing.Alias == _alias;
    }

    private async Task EnsureBridgeAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        var bridge = InterfaceNames.Bridge(network.Id);
        var mtu = network.Mtu.ToString(CultureInfo.InvariantCulture);
        var existing = await _ip.ShowAsync(bridge, cancellationToken);
        if (existing is not null)
        {
            ThrowIfNotOurs(existing);
            if (existing.Kind != "bridge")
            {
                throw new DriverException($"{bridge} exists but is a {existing.Kind ?? "physical"} device, not a bridge.", isTransient: false);
            }

            if (existing.Alias == _alias && existing.Mtu == network.Mtu && existing.IsUp)
            {
                return;
            }
        }
        else
        {
            await _ip.RunAsync(["link", "add", "name", bridge, "mtu", mtu, "type", "bridge"], cancellationToken);
        }

        // Isolate before "up", so the host never sends a single frame (IPv6 DAD, router solicitation) on it.
        _sysctls.Isolate(bridge, isBridge: true);
        await _ip.RunAsync(["link", "set", "dev", bridge, "mtu", mtu, "alias", _alias, "up"], cancellationToken);
        _logger.BridgeCreated(bridge, network.Mtu);
    }

    private void ThrowIfNotOurs(LinkInfo link)
    {
        // No alias: we created it and were interrupted before tagging it (the name carries our random id).
        if (link.Alias is not null && link.Alias != _alias)
        {
            _logger.InterfaceOfOtherOwner(link.Name, link.Alias);
            throw new DriverException($"{link.Name} exists but belongs to '{link.Alias}', not to this instance.", isTransient: false);
        }
    }
}
