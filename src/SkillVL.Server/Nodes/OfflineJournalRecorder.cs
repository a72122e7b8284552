using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using SkillVL.Server.Logging;

namespace SkillVL.Server.Nodes;

/// <summary>
/// Records what a node did on its own (its journal, ADR 0024) as audit entries — <c>machine.local.stopped-locally</c>,
/// <c>machine.local.restored-after-restart</c>, … — and makes the machine's desired state follow its owner's local
/// stop or start: a student who stopped a VM on their laptop meant it, so the reconcile must not start it again. The
/// node's observed state is the truth for its VMs anyway (the reconcile lists them and adopts a running QEMU).
/// Entries are recorded at most once (keyed by node and sequence number), so a lost acknowledgement costs nothing.
/// </summary>
public sealed partial class OfflineJournalRecorder(IDbContextFactory<SkillVlDbContext> dbFactory, ILogger<OfflineJournalRecorder> logger)
{
    /// <summary>The audit action prefix; the full action is this plus <see cref="OfflineJournalEntry.Action"/>.</summary>
    public const string ActionPrefix = "machine.local.";

    /// <summary>Records <paramref name="entries"/> of node <paramref name="nodeName"/>; returns the highest sequence number
    /// now recorded (to acknowledge), or null when there was nothing.</summary>
    public async Task<long?> RecordAsync(string nodeName, IReadOnlyList<OfflineJournalEntry>? entries, CancellationToken cancellationToken)
    {
        if (entries is not { Count: > 0 })
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var entry in entries.OrderBy(e => e.Seq))
        {
            var key = Key(nodeName, entry.Seq);
            var keyed = key + " "; // "laptop1#1 " must not match "laptop1#10 …"
            if (await db.Audit.AnyAsync(a => a.Action.StartsWith(ActionPrefix) && a.Detail != null && a.Detail.StartsWith(keyed), cancellationToken))
            {
                continue; // recorded before; its acknowledgement did not reach the node
            }

            var machine = await db.Machines.FirstOrDefaultAsync(m => m.Id == entry.VmId, cancellationToken);
            var room = machine is null ? null : await db.Rooms.AsNoTracking().Where(r => r.Id == machine.RoomId).Select(r => r.Name).FirstOrDefaultAsync(cancellationToken);

            // Only the node that runs the machine speaks for it: a stale node (the VM moved away since) changes nothing.
            var applies = machine is not null && machine.NodeName == nodeName;
            var desired = OfflineActions.DesiredStateAfter(entry.Action);
            if (applies && desired is not null && machine!.DesiredState != desired)
            {
                machine.DesiredState = desired;
                machine.ConsecutiveFailures = 0;
            }

            db.Audit.Add(new AuditEntity
            {
                At = entry.At,
                Username = null,
                Action = ActionPrefix + entry.Action,
                Target = LogRedaction.Redact(room is null ? entry.VmId : $"{room}/{machine!.Name}"),
                Outcome = applies ? "recorded" : "ignored",
                Detail = LogRedaction.Redact(Describe(key, nodeName, entry, applies)),
            });
            Log.Recorded(logger, nodeName, entry.Seq, entry.Action, entry.VmId, applies);
        }

        await db.SaveChangesAsync(cancellationToken);
        return entries.Max(e => e.Seq);
    }

    /// <summary>"laptop1#7 on laptop1 by uid 1000, offline: stopped-locally at 2026-…Z" — the key first, for the de-duplication.</summary>
    private static string Describe(string key, string nodeName, OfflineJournalEntry entry, bool applies) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{key} {entry.Action} on {nodeName} at {entry.At:O} by {entry.By}{(entry.Offline ? " while offline" : "")}{(entry.Detail is null ? "" : ": " + entry.Detail)}{(applies ? "" : " (the machine is not on this node: nothing changed)")}");

    private static string Key(string nodeName, long seq) => string.Create(CultureInfo.InvariantCulture, $"{nodeName}#{seq}");

    private static partial class Log
    {
        [LoggerMessage(3510, LogLevel.Information, "Node {Node} journal #{Seq}: {Action} of machine {VmId} (applied: {Applied})")]
        public static partial void Recorded(ILogger logger, string node, long seq, string action, string vmId, bool applied);
    }
}
