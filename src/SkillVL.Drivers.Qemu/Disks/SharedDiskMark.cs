namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>
/// Who may remove a disk that two nodes open (a move that shares the pool, ADR 0055): the node's delete reads it. Kept
/// beside the VM's spec in its data directory, so it goes with the VM's traces.
/// </summary>
public enum SharedDiskMark
{
    /// <summary>The disk is this node's: its delete removes it (no mark).</summary>
    Owned,

    /// <summary>Source, after the switch-over: the VM runs on the target on this very image; this node's delete leaves it.</summary>
    HandedOver,

    /// <summary>Target, from its prepare on: the image is the source's until the source lets go of it. This node's delete
    /// removes it only when no other client has it open (a move taken back resumes the guest on the source).</summary>
    Borrowed,
}
