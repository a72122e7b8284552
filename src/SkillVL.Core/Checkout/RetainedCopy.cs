namespace SkillVL.Core.Checkout;

/// <summary>The disk a server node keeps for a checked-out VM (ADR 0021).</summary>
/// <param name="VmId">The VM it belongs to.</param>
/// <param name="RetainedAt">When the check-out left it here.</param>
/// <param name="VirtualSizeBytes">The disk's virtual size.</param>
/// <param name="AllocatedBytes">Bytes its overlay occupies on the host (grows with each sync).</param>
/// <param name="Exported">Whether it is exported for a sync now.</param>
/// <param name="Lent">Whether a check-in has it as the disk of the VM it receives (it is not in the retained place then).</param>
public sealed record RetainedCopy(string VmId, DateTimeOffset RetainedAt, long VirtualSizeBytes, long AllocatedBytes, bool Exported, bool Lent);
