using SkillVL.Core.Migration;

namespace SkillVL.Core.Placement;

/// <summary>A running machine the advisor may suggest moving (ADR 0027).</summary>
/// <param name="Machine">Its reference as the migration API takes it, "room/machine".</param>
/// <param name="MachineId">Its id.</param>
/// <param name="OwnerId">The owner of its room: a client node takes only its owner's machines.</param>
/// <param name="Node">Where it runs now.</param>
/// <param name="Profile">What the migration model needs: RAM, dirty rate and disk where known.</param>
/// <param name="PinnedNode">The room's <c>node:</c> for it; a pinned machine is not moved — the room wins over the advisor.</param>
/// <param name="SessionLeft">How long it is still needed, if known (a lease, a class's end): a move that takes a large
/// share of that does not pay.</param>
/// <param name="OnlyTo">The one node it can go to, if any: a checked-out machine goes back only to the node that keeps
/// its disk (a check-in, ADR 0021); null: any node.</param>
public sealed record PlacementCandidate(
    string Machine,
    string MachineId,
    string OwnerId,
    string Node,
    VmMigrationProfile Profile,
    string? PinnedNode = null,
    TimeSpan? SessionLeft = null,
    string? OnlyTo = null);
