using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>The default disk store: a qcow2 overlay per VM in its data directory, backed by the template's disk file.</summary>
public sealed class QcowDiskStore : IVmDiskStore
{
    private readonly QcowImageTool _images;

    public QcowDiskStore(QcowImageTool images) => _images = images;

    public Task<NodeStorage?> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult<NodeStorage?>(null);

    public Task EnsureAsync(VmPaths paths, TemplateFiles template, CancellationToken cancellationToken) =>
        _images.CreateLinkedCloneAsync(template.DiskPath, paths.Disk, cancellationToken);

    public Task PrepareLaunchAsync(VmPaths paths, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        _images.Delete(paths.Disk);
        return Task.CompletedTask;
    }

    /// <summary>A qcow2 disk is this node's own file: no other node opens it, so it is never shared (the planner never moves
    /// RAM only from or to a file node).</summary>
    public Task MarkSharedAsync(VmPaths paths, SharedDiskMark mark, CancellationToken cancellationToken) =>
        mark == SharedDiskMark.Owned ? Task.CompletedTask
        : throw new DriverException($"VM {paths.VmId}: its disk is a qcow2 file of this node; no other node opens it.", isTransient: false);

    public async Task<long> UsedBytesAsync(VmPaths paths, CancellationToken cancellationToken) =>
        File.Exists(paths.Disk) ? (await _images.InfoAsync(paths.Disk, cancellationToken)).ActualSizeBytes : 0;
}
