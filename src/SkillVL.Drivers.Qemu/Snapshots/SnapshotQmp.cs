using System.Text.Json.Nodes;
using SkillVL.Core.Snapshots;
using SkillVL.Drivers.Qemu.CommandLine;

namespace SkillVL.Drivers.Qemu.Snapshots;

/// <summary>
/// The QMP and qemu-img arguments of internal snapshots and reading their answers (pure, unit-tested). QEMU 7.2's
/// schema: <c>snapshot-save</c>/<c>-load</c>/<c>-delete</c> (qapi/migration.json: job-id, tag, vmstate, devices) and
/// <c>blockdev-snapshot-internal-sync</c> (qapi/block-core.json: device, name). A VM has exactly one disk, node
/// <see cref="QemuCommandLineBuilder.DiskNode"/>, which holds both the disk's snapshot and the memory state.
/// </summary>
public static class SnapshotQmp
{
    /// <summary>The one snapshot job a VM runs at a time (every snapshot call holds the VM's lock).</summary>
    public const string JobId = "skillvl-snapshot";

    /// <summary><c>snapshot-save</c> / <c>snapshot-load</c>: the memory state goes to (comes from) the VM's disk.</summary>
    public static JsonObject SaveOrLoad(string tag) => new()
    {
        ["job-id"] = JobId,
        ["tag"] = tag,
        ["vmstate"] = QemuCommandLineBuilder.DiskNode,
        ["devices"] = new JsonArray(QemuCommandLineBuilder.DiskNode),
    };

    /// <summary><c>snapshot-delete</c> of <paramref name="tag"/> on the VM's disk.</summary>
    public static JsonObject Delete(string tag) => new()
    {
        ["job-id"] = JobId,
        ["tag"] = tag,
        ["devices"] = new JsonArray(QemuCommandLineBuilder.DiskNode),
    };

    /// <summary><c>blockdev-snapshot-internal-sync</c>: a disk-only snapshot while the guest runs (atomic, no pause).</summary>
    public static JsonObject DiskOnly(string name) => new() { ["device"] = QemuCommandLineBuilder.DiskNode, ["name"] = name };

    /// <summary><c>qemu-img snapshot</c> of a VM whose QEMU is not running: <paramref name="operation"/> is
    /// <c>-c</c> (create), <c>-a</c> (apply) or <c>-d</c> (delete). <c>qemu-img snapshot</c> has no <c>-f</c>; the format
    /// is stated through <c>--image-opts</c> instead of probed.</summary>
    public static IReadOnlyList<string> ImageArguments(string operation, string name, string disk) =>
        ["snapshot", "--image-opts", operation, name, "driver=qcow2,file.driver=file,file.filename=" + disk.Replace(",", ",,", StringComparison.Ordinal)];

    /// <summary>The snapshots of the disk node in a <c>query-named-block-nodes</c> answer.</summary>
    public static IReadOnlyList<VmSnapshot> FromNamedBlockNodes(JsonNode? namedBlockNodes)
    {
        foreach (var node in namedBlockNodes as JsonArray ?? [])
        {
            if (node?["node-name"]?.GetValue<string>() == QemuCommandLineBuilder.DiskNode)
            {
                return Parse(node["image"]?["snapshots"]);
            }
        }

        return [];
    }

    /// <summary>The snapshots in <c>qemu-img info --output=json</c> of the disk.</summary>
    public static IReadOnlyList<VmSnapshot> FromImageInfo(JsonNode? imageInfo) => Parse(imageInfo?["snapshots"]);

    /// <summary>
    /// A list of QAPI <c>SnapshotInfo</c> (the same members in QMP and qemu-img): oldest first. A snapshot "with RAM" is
    /// one with a memory state; the node's clock of its date is seconds and nanoseconds since the epoch.
    /// </summary>
    public static IReadOnlyList<VmSnapshot> Parse(JsonNode? snapshots)
    {
        var list = new List<VmSnapshot>();
        foreach (var item in snapshots as JsonArray ?? [])
        {
            if (item?["name"]?.GetValue<string>() is not { } name)
            {
                continue;
            }

            var stateBytes = item["vm-state-size"]?.GetValue<long>() ?? 0;
            var seconds = item["date-sec"]?.GetValue<long>() ?? 0;
            var nanoseconds = item["date-nsec"]?.GetValue<long>() ?? 0;
            var created = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / 100);
            list.Add(new VmSnapshot(name, stateBytes > 0, stateBytes, created));
        }

        return list.OrderBy(s => s.CreatedAt).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The snapshot job in a <c>query-jobs</c> answer: its status and error, or null when there is none.</summary>
    public static (string Status, string? Error)? FindJob(JsonNode? queryJobs)
    {
        foreach (var job in queryJobs as JsonArray ?? [])
        {
            if (job?["id"]?.GetValue<string>() == JobId)
            {
                return (job["status"]?.GetValue<string>() ?? "", job["error"]?.GetValue<string>());
            }
        }

        return null;
    }
}
