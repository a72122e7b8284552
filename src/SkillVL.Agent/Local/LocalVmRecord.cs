using SkillVL.Core.Compute;

namespace SkillVL.Agent.Local;

/// <summary>What a VM on this node should be, as last asked by the Server or the node's owner (ADR 0024).</summary>
/// <param name="Spec">The spec it is started with: enough to start it again from its disk with no Server.</param>
/// <param name="ShouldRun">Whether it should be running.</param>
/// <param name="ChangedAt">When <paramref name="ShouldRun"/> was last set.</param>
/// <param name="ChangedBy"><c>server</c>, or the local caller that set it.</param>
public sealed record LocalVmRecord(VmSpec Spec, bool ShouldRun, DateTimeOffset ChangedAt, string ChangedBy);
