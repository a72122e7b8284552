using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Confinement;

namespace SkillVL.Drivers.Qemu.Networking;

/// <summary>
/// The tap device of each VM NIC ("svt" + NIC id), created persistent by us and owned by the QEMU user (QEMU only
/// opens it: script=no), plugged into its network's bridge and tagged with this instance's alias.
/// </summary>
public sealed class TapDevices
{
    private readonly IpCommand _ip;
    private readonly InterfaceSysctls _sysctls;
    private readonly string _alias;
    private readonly ILogger _logger;
    private readonly QemuConfinement? _confinement;
    private readonly bool _streamMode;

    public TapDevices(
        QemuDriverOptions options, IpCommand ip, InterfaceSysctls sysctls, ILogger<TapDevices> logger, QemuConfinement? confinement = null)
    {
        _confinement = confinement;
        _streamMode = options.StreamMode;
        _ip = ip;
        _sysctls = sysctls;
        _alias = InterfaceNames.Alias(options.InstanceId);
        _logger = logger;
    }

    /// <summary>
    /// Creates the tap if missing and plugs it into <paramref name="networkId"/>'s bridge with
    /// <paramref name="mtu"/>. The bridge must exist and be ours; otherwise a transient
    /// <see cref="DriverException"/> says to ensure the network first.
    /// </summary>
    public async Task EnsureAsync(string nicId, string networkId, int mtu, CancellationToken cancellationToken)
    {
        if (_streamMode)
        {
            // Every QEMU start goes through QemuVmDriver.PrepareNicsAsync, which asks the stream switches instead (ADR
            // 0052); a caller that gets here wants a tap on a node that has no bridge, so it is refused for good rather
            // than retried forever against a bridge that never comes.
            throw new DriverException(
                $"NIC {nicId}: this node runs its VMs' networks in stream mode (--vm-network stream, ADR 0052) and makes no taps.",
                isTransient: false);
        }

        var tap = InterfaceNames.Tap(nicId);
        var bridgeName = InterfaceNames.Bridge(networkId);
        var bridge = await _ip.ShowAsync(bridgeName, cancellationToken);
        if (bridge is not { Kind: "bridge" } || bridge.Alias != _alias)
        {
            throw new DriverException(
                $"Network {networkId} (bridge {bridgeName}) does not exist on this node for this instance; ensure the network before starting VMs on it.",
                isTransient: true);
        }

        var existing = await _ip.ShowAsync(tap, cancellationToken);
        if (existing is not null && existing.Alias is not null && existing.Alias != _alias)
        {
            _logger.InterfaceOfOtherOwner(tap, existing.Alias);
            throw new DriverException($"{tap} exists but belongs to '{existing.Alias}', not to this instance.", isTransient: false);
        }

        // Owned by the QEMU user (ADR 0016): an unprivileged QEMU may attach to a persistent tap it owns, and to no
        // other. Called only before a QEMU of the NIC's VM starts, so a tap left by an earlier run is not in use; it is
        // made again, as ip cannot change a tap's owner (and an older SkillVL made them root's).
        var identity = _confinement is null ? null : await _confinement.EnsureAsync(cancellationToken);
        if (existing is not null && identity is not null)
        {
            await _ip.DeleteAsync(tap, cancellationToken);
            existing = null;
        }

        if (existing is { Master: not null, IsUp: true } && existing.Master == bridgeName && existing.Mtu == mtu && existing.Alias == _alias)
        {
            return;
        }

        if (existing is null)
        {
            string[] owner = identity is null
                ? []
                : ["user", identity.Uid.ToString(CultureInfo.InvariantCulture), "group", identity.Gid.ToString(CultureInfo.InvariantCulture)];
            await _ip.RunAsync(["tuntap", "add", "dev", tap, "mode", "tap", .. owner], cancellationToken);
        }

        _sysctls.Isolate(tap, isBridge: false);
        await _ip.RunAsync(
            ["link", "set", "dev", tap, "master", bridgeName, "mtu", mtu.ToString(CultureInfo.InvariantCulture), "alias", _alias, "up"],
            cancellationToken);
        _logger.TapCreated(tap, bridgeName);
    }

    /// <summary>Deletes the tap if it exists and is ours. Idempotent.</summary>
    public async Task DeleteAsync(string nicId, CancellationToken cancellationToken)
    {
        var tap = InterfaceNames.Tap(nicId);
        var existing = await _ip.ShowAsync(tap, cancellationToken);
        if (existing is null)
        {
            return;
        }

        if (existing.Alias is not null && existing.Alias != _alias)
        {
            _logger.InterfaceOfOtherOwner(tap, existing.Alias);
            return;
        }

        await _ip.DeleteAsync(tap, cancellationToken);
        _logger.TapDeleted(tap);
    }

    /// <summary>NIC ids of every tap of this instance (for orphan sweeps).</summary>
    public async Task<IReadOnlyList<string>> ListNicIdsAsync(CancellationToken cancellationToken)
    {
        var links = await _ip.ListAsync(cancellationToken);
        return links
            .Where(l => l.Kind == "tun" && l.Alias == _alias)
            .Select(l => InterfaceNames.IdFrom(l.Name, QemuCommandLineBuilder.TapPrefix))
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
