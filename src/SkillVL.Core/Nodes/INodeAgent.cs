using SkillVL.Core.Compute;
using SkillVL.Core.Networking;
using SkillVL.Core.Templates;

namespace SkillVL.Core.Nodes;

/// <summary>
/// The Server's handle on one node: the agent that makes decisions real on that host (virt-handler in
/// KubeVirt terms). In embedded mode it is in-process; remote agents implement the same interface.
/// </summary>
public interface INodeAgent
{
    NodeFacts Facts { get; }

    IVmDriver Vms { get; }

    INetworkDriver Networks { get; }

    ITemplateStore Templates { get; }

    /// <summary>Live migration to and from this node (both ends).</summary>
    IVmMigrationDriver Migrations { get; }

    /// <summary>Check-out and check-in's disk side (ADR 0021); null where the node does not offer it.</summary>
    Checkout.IVmCheckoutDriver? Checkouts => null;

    /// <summary>The VMs' snapshots (issue 18, ADR 0051); null where the node offers none.</summary>
    Snapshots.IVmSnapshotDriver? Snapshots => null;

    /// <summary>The VMs' consoles as byte streams (ADR 0036); null where the node offers none.</summary>
    INodeConsoles? Consoles => null;

    /// <summary>The room routers (ADR 0039); null where the node cannot host one (the Server then places none there).</summary>
    INodeRouters? Routers => null;

    /// <summary>
    /// The connection of a node outside the Server's process (ADR 0036); null for the node embedded in the Server's own
    /// process, which is reachable while the Server runs and whose console leg is the gateway itself.
    /// </summary>
    INodeConnection? Connection => null;
}
