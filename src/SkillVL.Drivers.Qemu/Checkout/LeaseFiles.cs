using System.Text.Json;
using SkillVL.Core.Checkout;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// Where a node keeps what leases and fencing decided (ADR 0025): the lease beside the VM's disk
/// (<c>&lt;data&gt;/vms/&lt;vm&gt;/lease.json</c>), and the records of fenced copies in <c>&lt;data&gt;/fenced/</c> (root's,
/// 0700), beside their disks. Static and file-only, so the VM driver's start path can ask it without a check-out driver.
/// </summary>
public static class LeaseFiles
{
    public static string LeaseFile(VmPaths paths) => Path.Combine(paths.DataDirectory, "lease.json");

    /// <summary>Marks a VM that the lease watch paused, so a later renewal resumes it (and no other pause).</summary>
    public static string PausedMarker(VmPaths paths) => Path.Combine(paths.RuntimeDirectory, "lease-paused");

    public static string FencedDirectory(QemuDriverOptions options) => Path.Combine(options.DataDirectory, "fenced");

    public static CheckoutLease? Read(VmPaths paths)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckoutLease>(File.ReadAllText(LeaseFile(paths)), QemuProcessSupervisor.JsonOptions);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public static void Write(VmPaths paths, CheckoutLease lease) => QemuProcessSupervisor.WriteJsonAtomically(LeaseFile(paths), lease);

    /// <summary>The fenced copies of <paramref name="vmId"/> kept on this node, oldest epoch first.</summary>
    public static IReadOnlyList<FencedCopy> FencedCopies(QemuDriverOptions options, string vmId)
    {
        var directory = FencedDirectory(options);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var copies = new List<FencedCopy>();
        foreach (var file in Directory.EnumerateFiles(directory, vmId + "-e*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<FencedCopy>(File.ReadAllText(file), QemuProcessSupervisor.JsonOptions) is { } copy && copy.VmId == vmId)
                {
                    copies.Add(copy);
                }
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                // A record being written or damaged: the disk beside it is still there; the next look reads it.
            }
        }

        return copies.OrderBy(c => c.Epoch).ToList();
    }

    /// <summary>
    /// The disk a fenced record names, as a full path, when it lies inside <c>&lt;data&gt;/fenced/</c> and is a qcow2;
    /// otherwise a non-transient error ending in <paramref name="refusal"/>. A record is data read back from disk: whatever
    /// wrote it, nothing outside that directory is ever deleted or sent (ADR 0025, 0044).
    /// </summary>
    public static string FencedDisk(QemuDriverOptions options, FencedCopy copy, string refusal)
    {
        var directory = Path.GetFullPath(FencedDirectory(options)) + Path.DirectorySeparatorChar;
        var disk = Path.GetFullPath(copy.Path);
        if (!disk.StartsWith(directory, StringComparison.Ordinal) || !disk.EndsWith(".qcow2", StringComparison.Ordinal)
            || disk.AsSpan(directory.Length).Contains(Path.DirectorySeparatorChar))
        {
            throw new Core.Errors.DriverException($"VM {copy.VmId}: the fenced record of epoch {copy.Epoch} names {copy.Path}, outside {directory}; {refusal}.", isTransient: false);
        }

        // A symbolic link placed there would lead out of the directory all the same.
        if (new FileInfo(disk).LinkTarget is not null)
        {
            throw new Core.Errors.DriverException($"VM {copy.VmId}: the fenced disk of epoch {copy.Epoch} ({disk}) is a symbolic link; {refusal}.", isTransient: false);
        }

        return disk;
    }

    /// <summary>
    /// Why the VM must not start on this node now, or null: the start guard of every start of a VM (the Server's, the
    /// agent's local start, the restore after a reboot). A copy whose lease ran out, or whose epoch was fenced here and
    /// which no newer check-out replaced, is not the live copy.
    /// </summary>
    public static string? StartRefusal(QemuDriverOptions options, VmPaths paths, DateTimeOffset now)
    {
        var lease = Read(paths);
        var fenced = FencedCopies(options, paths.VmId);
        if (fenced.Count > 0 && (lease is null || lease.Epoch <= fenced[^1].Epoch))
        {
            return LeaseTerms.StartRefusal(new CheckoutLease(paths.VmId, fenced[^1].Epoch, DateTimeOffset.MaxValue, Fenced: true), now);
        }

        return LeaseTerms.StartRefusal(lease, now);
    }
}
