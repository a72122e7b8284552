using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>
/// Where a VM's disk lives: the one seam between the VM driver and its storage (ADR 0055). <see cref="QcowDiskStore"/>
/// keeps qcow2 linked clones in the data directory, <see cref="Rbd.RbdDiskStore"/> RBD clones in a Ceph pool; the
/// QEMU command line follows <see cref="QemuDriverOptions.DiskStore"/>.
/// </summary>
public interface IVmDiskStore
{
    /// <summary>Checks at the node's start that the store can be used (the Ceph pool reachable); throws with why not. Returns
    /// where the disks live when other nodes may open them too (the Ceph cluster's fsid and the pool), null for files.</summary>
    Task<NodeStorage?> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>Makes the VM's disk from <paramref name="template"/> when it has none; idempotent.</summary>
    Task EnsureAsync(VmPaths paths, TemplateFiles template, CancellationToken cancellationToken);

    /// <summary>What QEMU needs beside its command line to open the disk, in the VM's runtime directory (RBD: the conf and
    /// the key's secret file). Called before every launch.</summary>
    Task PrepareLaunchAsync(VmPaths paths, CancellationToken cancellationToken);

    /// <summary>Removes the VM's disk and nothing else; a missing one is fine (idempotent). A disk handed to another node by
    /// a migration that moved RAM only (<see cref="MarkSharedAsync"/>) is not removed: only the VM's traces here go.</summary>
    Task DeleteAsync(VmPaths paths, CancellationToken cancellationToken);

    /// <summary>Around a migration that moves RAM only (<see cref="Core.Compute.DiskTransfer.Shared"/>): who may remove the
    /// disk (<see cref="SharedDiskMark"/>). Only a store with shared storage has it; a file store refuses.</summary>
    Task MarkSharedAsync(VmPaths paths, SharedDiskMark mark, CancellationToken cancellationToken);

    /// <summary>Bytes the VM's own disk occupies in its store (not the template's); 0 when it has none.</summary>
    Task<long> UsedBytesAsync(VmPaths paths, CancellationToken cancellationToken);
}
