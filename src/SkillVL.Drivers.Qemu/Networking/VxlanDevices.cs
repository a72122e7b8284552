using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// The VXLAN device of a network that spans nodes ("svx" + network id): a port of the network's bridge that
/// tunnels its frames to the other nodes in UDP (ADR 0007). No multicast group and no learning: the device
/// floods broadcasts, multicasts and unknown unicast to one all-zeros FDB entry per peer (head-end
/// replication, Proxmox SDN's <c>peers</c>), so the peer list is exactly the nodes that host machines of the
/// network, and converging it is adding and deleting those entries.
/// </summary>
public sealed class VxlanDevices
{
    /// <summary>The largest VNI: the field is 24 bits (RFC 7348 §5).</summary>
    public const int MaxVni = (1 << 24) - 1;

    private readonly IpCommand _ip;
    private readonly InterfaceSysctls _sysctls;
    private readonly string _alias;
    private readonly ILogger _logger;

    public VxlanDevices(QemuDriverOptions options, IpCommand ip, InterfaceSysctls sysctls, ILogger logger)
    {
        _ip = ip;
        _sysctls = sysctls;
        _alias = InterfaceNames.Alias(options.InstanceId);
        _logger = logger;
    }

    /// <summary>
    /// Checks <paramref name="overlay"/> and returns it in canonical form: addresses as .NET prints them, peers
    /// without duplicates and without the local address (a node never replicates to itself).
    /// </summary>
    /// <exception cref="ArgumentException">A VNI, port or address out of range.</exception>
    public static VxlanOverlay Normalize(string networkId, VxlanOverlay overlay)
    {
        if (overlay.Vni is < 1 or > MaxVni)
        {
            throw new ArgumentException($"Network {networkId}: VNI {overlay.Vni} is outside 1..{MaxVni}.", nameof(overlay));
        }

        if (overlay.Port is < 1 or > 65535)
        {
            throw new ArgumentException($"Network {networkId}: VXLAN port {overlay.Port} is outside 1..65535.", nameof(overlay));
        }

        var local = CanonicalIpv4(overlay.LocalAddress)
            ?? throw new ArgumentException($"Network {networkId}: VXLAN local address '{overlay.LocalAddress}' is not an IPv4 address.", nameof(overlay));
        var peers = new List<string>();
        foreach (var text in overlay.Peers ?? [])
        {
            var peer = CanonicalIpv4(text)
                ?? throw new ArgumentException($"Network {networkId}: VXLAN peer '{text}' is not an IPv4 address.", nameof(overlay));
            if (peer != local && !peers.Contains(peer, StringComparer.Ordinal))
            {
                peers.Add(peer);
            }
        }

        return overlay with { LocalAddress = local, Peers = peers };
    }

    /// <summary>
    /// Makes the device exist with <paramref name="overlay"/>'s VNI, local address and port (recreating it when
    /// they differ), attached to <paramref name="networkId"/>'s bridge (which must exist) with
    /// <paramref name="mtu"/>, isolated and up, and replicating to exactly <paramref name="overlay"/>'s peers.
    /// <paramref name="overlay"/> must come from <see cref="Normalize"/>.
    /// </summary>
    public async Task EnsureAsync(string networkId, int mtu, VxlanOverlay overlay, CancellationToken cancellationToken)
    {
        var device = InterfaceNames.Vxlan(networkId);
        var bridge = InterfaceNames.Bridge(networkId);
        var existing = await _ip.ShowAsync(device, cancellationToken);
        if (existing is not null)
        {
            if (existing.Alias is not null && existing.Alias != _alias)
            {
                _logger.VxlanOfOtherOwner(device, existing.Alias);
                throw new DriverException($"{device} exists but belongs to '{existing.Alias}', not to this instance.", isTransient: false);
            }

            if (existing.Kind != "vxlan")
            {
                throw new DriverException($"{device} exists but is a {existing.Kind ?? "physical"} device, not a VXLAN device.", isTransient: false);
            }

            // The kernel cannot change a VXLAN device's VNI, source address or port in place: delete and add.
            // Guests on this node lose the overlay for the few milliseconds in between.
            if (!Matches(existing.Vxlan, overlay))
            {
                _logger.VxlanRecreating(
                    device, existing.Vxlan?.Vni ?? 0, existing.Vxlan?.Local, existing.Vxlan?.Port ?? 0, overlay.Vni, overlay.LocalAddress, overlay.Port);
                await _ip.DeleteAsync(device, cancellationToken);
                existing = null;
            }
        }

        var mtuText = mtu.ToString(CultureInfo.InvariantCulture);
        if (existing is null)
        {
            // No "group": without multicast in the underlay, floods go to the all-zeros FDB entries below.
            // "nolearning": remote MACs are not learnt from received packets, so a guest cannot redirect the
            // tunnel to an arbitrary underlay address by spoofing frames; unicast to a MAC the bridge has
            // learnt on this port also goes to the flood list.
            await _ip.RunAsync(
                [
                    "link", "add", "name", device, "mtu", mtuText, "type", "vxlan",
                    "id", overlay.Vni.ToString(CultureInfo.InvariantCulture),
                    "local", overlay.LocalAddress,
                    "dstport", overlay.Port.ToString(CultureInfo.InvariantCulture),
                    "nolearning",
                ],
                cancellationToken);
        }

        if (existing is not { IsUp: true } || existing.Master != bridge || existing.Mtu != mtu || existing.Alias != _alias)
        {
            // Like a tap: no IPv6 on the port before it goes up, so the host never sends a frame into the tunnel.
            _sysctls.Isolate(device, isBridge: false);
            await _ip.RunAsync(["link", "set", "dev", device, "master", bridge, "mtu", mtuText, "alias", _alias, "up"], cancellationToken);
            _logger.VxlanAttached(device, overlay.Vni, overlay.LocalAddress, overlay.Port, bridge);
        }

        await ConvergePeersAsync(device, overlay.Peers, cancellationToken);
    }

    /// <summary>Deletes the network's VXLAN device if it exists and is ours (or untagged: an interrupted create). Idempotent.</summary>
    public async Task DeleteAsync(string networkId, CancellationToken cancellationToken)
    {
        var device = InterfaceNames.Vxlan(networkId);
        var existing = await _ip.ShowAsync(device, cancellationToken);
        if (existing is null)
        {
            return;
        }

        if (existing.Alias is not null && existing.Alias != _alias)
        {
            _logger.VxlanOfOtherOwner(device, existing.Alias);
            return;
        }

        await _ip.DeleteAsync(device, cancellationToken);
        _logger.VxlanDeleted(device);
    }

    private static bool Matches(VxlanLinkInfo? observed, VxlanOverlay wanted) =>
        observed is not null
        && observed.Vni == wanted.Vni
        && observed.Port == wanted.Port
        && observed.Local == wanted.LocalAddress
        && !observed.Learning;

    // Dotted quads only: IPAddress.TryParse also takes "10.1" and "167772161", which nobody means as a VTEP.
    private static string? CanonicalIpv4(string? text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? address.ToString()
            : null;

    private async Task ConvergePeersAsync(string device, IReadOnlyList<string> peers, CancellationToken cancellationToken)
    {
        var present = await _ip.ListFloodDestinationsAsync(device, cancellationToken);

        // Add before remove: when a machine moves, the new node is reachable before the old one is dropped.
        foreach (var peer in peers.Where(p => !present.Contains(p, StringComparer.Ordinal)))
        {
            await _ip.AppendFloodDestinationAsync(device, peer, cancellationToken);
            _logger.VxlanPeerAdded(device, peer);
        }

        foreach (var gone in present.Where(p => !peers.Contains(p, StringComparer.Ordinal)))
        {
            await _ip.DeleteFloodDestinationAsync(device, gone, cancellationToken);
            _logger.VxlanPeerRemoved(device, gone);
        }
    }
}
