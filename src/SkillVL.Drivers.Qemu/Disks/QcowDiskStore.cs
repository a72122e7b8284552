using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Drivers.Qemu.Disks;

/// <summary>The default disk store: a qcow2 overlay per VM in its data directory, backed by the template's disk file.</summary>
public sealed class QcowDiskStore : IVmDiskStore
{
    private readonly QcowImageTool _images;

    public QcowDiskStore(QcowImageTool images) => _images = images;

    public Task ProbeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task EnsureAsync(VmPaths paths, TemplateFiles template, CancellationToken cancellationToken) =>
        _images.CreateLinkedCloneAsync(template.DiskPath, paths.Disk, cancellationToken);

    public Task PrepareLaunchAsync(VmPaths paths, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DeleteAsync(VmPaths paths, CancellationToken cancellationToken)
    {
        _images.Delete(paths.Disk);
        return Task.CompletedTask;
    }

    public async Task<long> UsedBytesAsync(VmPaths paths, CancellationToken cancellationToken) =>
        File.Exists(paths.Disk) ? (await _images.InfoAsync(paths.Disk, cancellationToken)).ActualSizeBytes : 0;
}
