using SkillVL.Core.Migration;

namespace SkillVL.Core.Nodes;

/// <summary>What a node reports about itself.</summary>
/// <param name="Name">Node name, "local" for the embedded node.</param>
/// <param name="Cpus">Host CPUs.</param>
/// <param name="MemoryBytes">Host RAM.</param>
/// <param name="Accelerator">"kvm" or "tcg".</param>
/// <param name="Kind">"server", "edge" or "client" (a student's machine).</param>
/// <param name="UnderlayAddress">The IPv4 address VXLAN tunnels to this node use; null: none (single node).</param>
/// <param name="Labels">Free labels a room's placement can ask for (e.g. "site=lab1").</param>
/// <param name="Migration">The live-migration features of the node's hypervisor; null: the node cannot migrate
/// (its driver declares no <see cref="Compute.DriverCapabilities.LiveMigration"/>).</param>
/// <param name="Hypervisor">What a migration's target must match (version, machine type, CPU model); null: not reported
/// (a node that has not started yet, or an older agent).</param>
/// <param name="RelayPort">TCP port where the node would accept client nodes' room-network relays (ADR 0019) on its
/// underlay address; null: the node cannot be a relay hub (the embedded node, an agent without an underlay address).</param>
/// <param name="Clock">The node's UTC clock when it sent these facts (ADR 0025); null: an older agent.</param>
/// <param name="ClockOffsetSeconds">Set by the Server when the facts arrive: <paramref name="Clock"/> minus the Server's
/// clock (plus the message's transit); null: not known. A check-out to a client far off is refused.</param>
/// <param name="Storage">Where the node keeps its VM disks when they are not its own files (a Ceph pool, ADR 0055); null:
/// on the node itself (qcow2 files), or an older agent. Two nodes with equal storage move a VM's RAM only.</param>
public sealed record NodeFacts(
    string Name,
    int Cpus,
    long MemoryBytes,
    string Accelerator,
    string Kind = "server",
    string? UnderlayAddress = null,
    IReadOnlyDictionary<string, string>? Labels = null,
    MigrationFeatures? Migration = null,
    HypervisorFacts? Hypervisor = null,
    int? RelayPort = null,
    DateTimeOffset? Clock = null,
    double? ClockOffsetSeconds = null,
    NodeStorage? Storage = null);
