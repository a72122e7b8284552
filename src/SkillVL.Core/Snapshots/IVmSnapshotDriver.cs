namespace SkillVL.Core.Snapshots;

/// <summary>
/// A node's snapshots of its VMs (issue 18, ADR 0051): named points in time a VM can go back to, stored on the node
/// with the VM's disk (QEMU: qcow2 internal snapshots in the VM's own overlay). A snapshot "with RAM" also holds the
/// guest's memory and device state, so a revert brings running processes back; a disk-only one holds the disk, and
/// its revert boots the guest from it. Every call is bounded by its token and holds the VM's lock on the node; none
/// decides policy (names' owners, limits, quota): the Server does.
/// </summary>
public interface IVmSnapshotDriver
{
    /// <summary>The VM's snapshots, oldest first. A VM with no disk on this node has none.</summary>
    Task<IReadOnlyList<VmSnapshot>> ListAsync(string vmId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes snapshot <paramref name="name"/> (<see cref="SnapshotNames.IsValid"/>). With RAM the VM must run (or be
    /// paused): it is paused while its memory is written and goes on as it was. Disk-only works running or stopped.
    /// A name the VM already has is refused (<see cref="Errors.DriverException"/>, not transient).
    /// </summary>
    Task<VmSnapshot> CreateAsync(string vmId, string name, bool withRam, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the VM back to snapshot <paramref name="name"/>. Running VM, snapshot with RAM: memory, devices and disk as
    /// they were, the guest goes on from there. Running VM, disk-only snapshot: the VM is stopped hard, its disk reverted
    /// and it boots again from it. Stopped VM: the disk is reverted; the next start boots from it (the memory of a
    /// snapshot with RAM is not loaded into a stopped VM). An unknown name is refused.
    /// </summary>
    Task RevertAsync(string vmId, string name, CancellationToken cancellationToken);

    /// <summary>Deletes snapshot <paramref name="name"/>; false when the VM had none of that name (idempotent).</summary>
    Task<bool> DeleteAsync(string vmId, string name, CancellationToken cancellationToken);
}
