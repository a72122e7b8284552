using SkillVL.Server.Data;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// What the reconciler does with a VM a node reports that no live machine wants there (ADR 0025), as a pure function: a
/// copy a revive fenced — the same VM on the client named in a fenced record not yet completed — is fenced (stopped, its
/// disk set aside and kept), never deleted; anything else is an orphan as before.
/// </summary>
public static class FenceDecision
{
    /// <summary>The fenced record the VM on <paramref name="node"/> completes, or null: an ordinary orphan.</summary>
    public static FencedCopyEntity? Pending(string vmId, string node, IEnumerable<FencedCopyEntity> pendingFences) =>
        pendingFences
            .Where(f => f.MachineId == vmId && f.Node == node && f.FencedAt is null)
            .OrderByDescending(f => f.Epoch)
            .FirstOrDefault();
}
