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
/// Nothing here adds a route, NAT rule or uplink port.
/// </summary>
public sealed class LinuxBridgeNetworkDriver : INetworkDriver
{
    private readonly IpCommand _ip;
    private readonly InterfaceSysctls _sysctls;
    private readonly string _alias;
    private readonly ILogger _logger;

    public LinuxBridgeNetworkDriver(
        QemuDriverOptions options,
        IpCommand ip,
        InterfaceSysctls sysctls,
        ILogger<LinuxBridgeNetworkDriver> logger)
    {
        _ip = ip;
        _sysctls = sysctls;
        _alias = InterfaceNames.Alias(options.InstanceId);
        _logger = logger;
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var links = await _ip.ListAsync(cancellationToken);
        return links
            .Where(l => l.Kind == "bridge" && l.Alias == _alias)
            .Select(l => InterfaceNames.IdFrom(l.Name, InterfaceNames.BridgePrefix))
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public async Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        if (network.Mtu is < 68 or > 65535)
        {
            throw new ArgumentException($"Network {network.Id}: MTU {network.Mtu} is out of range.", nameof(network));
        }

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

    public async Task DeleteAsync(string networkId, CancellationToken cancellationToken)
    {
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
