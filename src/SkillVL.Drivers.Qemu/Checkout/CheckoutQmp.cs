using System.Text.Json.Nodes;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.CommandLine;

namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>
/// The QMP arguments of check-out and check-in (pure, unit-tested): the persistent dirty bitmap, the incremental
/// <c>blockdev-backup</c> into an NBD node, and reading both back. QEMU 7.2's schema (qapi/block-core.json).
/// </summary>
public static class CheckoutQmp
{
    /// <summary>The persistent bitmap on the VM's disk node that records every write since the last successful sync.</summary>
    public const string Bitmap = "skillvl-checkout";

    /// <summary>The NBD client node of the retained copy during a sync.</summary>
    public const string SyncTargetNode = "checkout-sync-target";

    /// <summary>The background sync's backup job.</summary>
    public const string SyncJob = "checkout-sync";

    /// <summary>Check-in: the catch-up copy while the guest still runs.</summary>
    public const string CatchUpJob = "checkin-catchup";

    /// <summary>Check-in: the last copy, while the source is paused before the switch-over.</summary>
    public const string FinalJob = "checkin-final";

    /// <summary><c>block-dirty-bitmap-add</c>: persistent (stored in the qcow2 when QEMU closes the image), at the
    /// qcow2 cluster size (QEMU's default granularity: one bit per 64 KiB cluster).</summary>
    public static JsonObject BitmapAdd() => new()
    {
        ["node"] = QemuCommandLineBuilder.DiskNode,
        ["name"] = Bitmap,
        ["persistent"] = true,
    };

    /// <summary><c>block-dirty-bitmap-remove</c> of the check-out bitmap (also an inconsistent one: that is how QEMU
    /// lets a user get rid of it).</summary>
    public static JsonObject BitmapRemove() => new() { ["node"] = QemuCommandLineBuilder.DiskNode, ["name"] = Bitmap };

    /// <summary><c>query-named-block-nodes</c>: one entry per node, no backing chains repeated.</summary>
    public static JsonObject QueryNodes() => new() { ["flat"] = true };

    /// <summary>The check-out bitmap of the disk node in a <c>query-named-block-nodes</c> answer, or null.</summary>
    public static BitmapState? FindBitmap(JsonNode? namedBlockNodes)
    {
        foreach (var node in namedBlockNodes as JsonArray ?? [])
        {
            if (node?["node-name"]?.GetValue<string>() != QemuCommandLineBuilder.DiskNode)
            {
                continue;
            }

            foreach (var bitmap in node["dirty-bitmaps"] as JsonArray ?? [])
            {
                if (bitmap?["name"]?.GetValue<string>() == Bitmap)
                {
                    return new BitmapState(
                        bitmap["count"]?.GetValue<long>() ?? 0,
                        bitmap["inconsistent"]?.GetValue<bool>() ?? false,
                        bitmap["busy"]?.GetValue<bool>() ?? false);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The check-out bitmap as <c>qemu-img info --output=json</c> shows it in a closed image (format-specific data):
    /// null when absent; otherwise whether it is inconsistent — the <c>in-use</c> flag still set while no QEMU has the
    /// image open means the QEMU that had it did not close it.
    /// </summary>
    public static bool? BitmapInUseInImage(JsonNode? imageInfo)
    {
        foreach (var bitmap in imageInfo?["format-specific"]?["data"]?["bitmaps"] as JsonArray ?? [])
        {
            if (bitmap?["name"]?.GetValue<string>() == Bitmap)
            {
                return (bitmap["flags"] as JsonArray ?? []).Any(f => f?.GetValue<string>() == "in-use");
            }
        }

        return null;
    }

    /// <summary>
    /// <c>blockdev-backup</c> of the VM's disk into <paramref name="target"/>: with the bitmap, only its clusters
    /// (<c>incremental</c>), and the bitmap is cleared only if the job succeeds (<c>on-success</c>: writes during the
    /// job and every cluster of a failed or cancelled job stay marked); without it, every cluster the overlay itself
    /// holds (<c>top</c>: the fallback when the bitmap cannot be trusted). Point in time: the job starts a
    /// copy-before-write filter, so what lands is the disk as of the start. Kept after it ends
    /// (<c>auto-dismiss: false</c>) so its result and error can be read back.
    /// </summary>
    public static JsonObject Backup(string jobId, string target, bool incremental, DataRate speed)
    {
        var arguments = new JsonObject
        {
            ["job-id"] = jobId,
            ["device"] = QemuCommandLineBuilder.DiskNode,
            ["target"] = target,
            ["sync"] = incremental ? "incremental" : "top",
            ["speed"] = speed.BytesPerSecond,
            ["auto-finalize"] = true,
            ["auto-dismiss"] = false,
        };
        if (incremental)
        {
            arguments["bitmap"] = Bitmap;
            arguments["bitmap-mode"] = "on-success";
        }

        return arguments;
    }

    /// <summary>The <c>blockdev-add</c> of a retained copy's NBD export, reached through the tunnel's unix socket.</summary>
    public static JsonObject NbdTarget(string nodeName, string socket, string exportName) => new()
    {
        ["driver"] = "nbd",
        ["node-name"] = nodeName,
        ["server"] = new JsonObject { ["type"] = "unix", ["path"] = socket },
        ["export"] = exportName,
    };

    /// <summary>A job of <c>query-jobs</c> by id, or null.</summary>
    public static BackupJob? FindJob(JsonNode? queryJobs, string jobId)
    {
        foreach (var job in queryJobs as JsonArray ?? [])
        {
            if (job?["id"]?.GetValue<string>() == jobId)
            {
                return new BackupJob(
                    job["status"]?.GetValue<string>() ?? "",
                    job["current-progress"]?.GetValue<long>() ?? 0,
                    job["total-progress"]?.GetValue<long>() ?? 0,
                    job["error"]?.GetValue<string>());
            }
        }

        return null;
    }

    /// <summary>The argv of the QEMU that holds a retained copy for its NBD export: no machine, no guest, no
    /// vCPU (<c>-machine none</c>), only the disk as the same two block nodes a VM has and QMP; confined and sandboxed
    /// like a VM's QEMU because the supervisor launches it the same way.</summary>
    public static IReadOnlyList<string> ExportProcess(VmPaths paths, QemuDriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string>
        {
            "-name", "retained-" + paths.VmId,
            "-nodefaults",
            "-no-user-config",
            "-pidfile", paths.PidFile,
            "-machine", "none",
            "-accel", "tcg",
            "-display", "none",
        };
        if (options.Sandbox)
        {
            args.AddRange(["-sandbox", QemuCommandLineBuilder.Sandbox]);
        }

        args.AddRange(
        [
            "-S",
            "-chardev", $"socket,id=qmp,path={Escape(paths.QmpSocket)},server=on,wait=off",
            "-mon", "chardev=qmp,mode=control",
            "-blockdev", $"driver=file,node-name={QemuCommandLineBuilder.DiskFileNode},filename={Escape(paths.Disk)},cache.direct=off",
            "-blockdev", $"driver=qcow2,node-name={QemuCommandLineBuilder.DiskNode},file={QemuCommandLineBuilder.DiskFileNode},cache.direct=off",
        ]);
        return args;
    }

    private static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
