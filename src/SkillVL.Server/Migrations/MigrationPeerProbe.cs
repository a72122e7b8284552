using System.Globalization;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Migrations;

/// <summary>
/// The platform's own peer probe for one live migration (<see cref="PeerProbe"/>): another running machine of the room
/// that shares a network with the mover pings it every 10 ms through its guest agent, from before the RAM phase until
/// after the switch-over. Best effort: no peer, no IPv4 address, no <c>ping</c> in the peer's guest — the migration goes
/// on without it and its log says why. Runs in the peer's guest, not on a node, so it sees the room's network as the
/// room's machines do (VXLAN included).
/// </summary>
internal sealed class MigrationPeerProbe
{
    private static readonly TimeSpan ExecTimeout = TimeSpan.FromSeconds(15);

    private readonly INodeAgent _node;
    private readonly string _peerId;
    private readonly string _name;
    private readonly int _pid;

    private MigrationPeerProbe(INodeAgent node, string peerId, string peerName, string address, string name, int pid)
    {
        _node = node;
        _peerId = peerId;
        PeerName = peerName;
        Address = address;
        _name = name;
        _pid = pid;
    }

    /// <summary>The peer machine's name.</summary>
    public string PeerName { get; }

    /// <summary>The mover's address the peer pings.</summary>
    public string Address { get; }

    /// <summary>
    /// The peer to probe from: a running machine of the room with its guest agent up, on a network where the mover has
    /// an IPv4 address; one on another node than the mover first (it sees the network as a remote peer does). Null
    /// with the reason when there is none.
    /// </summary>
    public static (MachineEntity Peer, string Address)? ChoosePeer(RoomEntity room, MachineEntity mover, out string why)
    {
        var addresses = mover.Nics.Where(n => !string.IsNullOrEmpty(n.Ip)).ToDictionary(n => n.NetworkId, n => n.Ip!, StringComparer.Ordinal);
        if (addresses.Count == 0)
        {
            why = $"{mover.Name} has no static IPv4 address to ping";
            return null;
        }

        var candidates = room.Machines
            .Where(m => m.Id != mover.Id && m.DesiredState == MachineStates.Running && m.ObservedState == MachineStates.Running && m.GuestReady)
            .Select(m => (Machine: m, Network: m.Nics.Select(n => n.NetworkId).FirstOrDefault(addresses.ContainsKey)))
            .Where(c => c.Network is not null)
            .OrderBy(c => c.Machine.NodeName == mover.NodeName ? 1 : 0)
            .ThenBy(c => c.Machine.Name, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            why = $"no other running machine of the room shares a network with {mover.Name}";
            return null;
        }

        why = "";
        return (candidates[0].Machine, addresses[candidates[0].Network!]);
    }

    /// <summary>Starts the probe in the peer's guest; null with the reason when it cannot.</summary>
    public static async Task<(MigrationPeerProbe? Probe, string Why)> StartAsync(
        NodeRegistry nodes, RoomEntity room, MachineEntity mover, string migrationId, CancellationToken cancellationToken)
    {
        if (ChoosePeer(room, mover, out var why) is not { } chosen)
        {
            return (null, why);
        }

        var (peer, address) = chosen;
        if (nodes.Find(peer.NodeName) is not { } node)
        {
            return (null, $"the node of {peer.Name} ({peer.NodeName}) is not connected");
        }

        var started = await node.Vms.GuestExecAsync(peer.Id, PeerProbe.StartCommand(address, migrationId), ExecTimeout, cancellationToken);
        if (started.ExitCode != 0 || !int.TryParse(started.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return (null, $"starting ping in {peer.Name} failed (exit {started.ExitCode}: {started.Stderr.Trim()})");
        }

        return (new MigrationPeerProbe(node, peer.Id, peer.Name, address, migrationId, pid), "");
    }

    /// <summary>Stops the probe and reads the longest gap; null when the peer got fewer than two replies. Also the way to
    /// clean it up (the ping ends either way).</summary>
    public async Task<TimeSpan?> StopAsync(CancellationToken cancellationToken)
    {
        var stopped = await _node.Vms.GuestExecAsync(_peerId, PeerProbe.StopCommand(_pid, _name), ExecTimeout, cancellationToken);
        return PeerProbe.LongestGap(stopped.Stdout);
    }
}
