using SkillVL.Core.Compute;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// <c>retained.json</c> beside a retained copy (<c>&lt;data&gt;/retained/&lt;vm&gt;/</c>): whose disk it is and what
/// it is doing. The disk is the VM's overlay as it was when the check-out left, plus every sync since.
/// </summary>
/// <param name="Spec">The VM's spec when it left (a revival or check-in starts it from this).</param>
/// <param name="RetainedAt">When the check-out left it here.</param>
/// <param name="LentTo">The check-in migration that has it as its incoming VM's disk (moved into the VM's directory);
/// an aborted check-in gives it back, a completed one ends the retained copy (it is the VM's live disk then).</param>
public sealed record RetainedRecord(VmSpec Spec, DateTimeOffset RetainedAt, string? LentTo = null);
