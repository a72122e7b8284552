namespace SkillVL.Core.Checkout;

/// <summary>The client's record of what the guest wrote since the last sync.</summary>
/// <param name="Tracking">A persistent dirty bitmap exists on the VM's disk.</param>
/// <param name="DirtyBytes">Bytes the bitmap marks (whole clusters); null while the VM's QEMU is not running (the count
/// lives in QEMU's memory and is written to the qcow2 only as the bitmap itself).</param>
/// <param name="Inconsistent">QEMU did not close the disk cleanly (killed, host crash): the bitmap may miss writes.</param>
/// <param name="FullSyncRequired">The next sync copies the whole overlay: the bitmap is, or was, inconsistent and no
/// full copy has succeeded since.</param>
public sealed record WriteTracking(bool Tracking, long? DirtyBytes, bool Inconsistent, bool FullSyncRequired);
