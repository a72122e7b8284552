using SkillVL.Core.Networking;

namespace SkillVL.Server.Reconciliation;

/// <summary>One router of a live room as the reconciler wants it (ADR 0039): the node that hosts it and what it builds.</summary>
/// <param name="RoomId">The room instance.</param>
/// <param name="Name">The router's name in room.yaml.</param>
/// <param name="Node">The node hosting its namespace.</param>
/// <param name="Spec">What that node builds; <see cref="RouterSpec.Id"/> is <see cref="RouterPlacement.IdFor"/>.</param>
public sealed record PlannedRouter(string RoomId, string Name, string Node, RouterSpec Spec);
