using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// Getting back what a fenced copy holds (ADR 0044): the disk is read on the client that keeps it and comes to the
/// caller as a byte stream over the client's own connection. Whoever sees the machine's room may (owner, the course's
/// teacher, admin — <see cref="AccessService"/>); for anyone else the machine does not exist. Every attempt is audited as
/// <c>machine.fenced-download</c>: refused ones with their status, a transfer when it opens and when it ends.
/// </summary>
public static class FencedDownloads
{
    public const string AuditAction = "machine.fenced-download";

    /// <summary>An open download: the file name to offer, and the disk (the caller disposes it).</summary>
    public sealed record Opened(string FileName, string Target, string Node, FencedDiskStream Disk);

    /// <summary>The outcome: <see cref="NotFound"/> (404), <see cref="Conflict"/> (409: the client is offline, or has not
    /// been back since the revive), <see cref="Failed"/> (502: the client refused), or <see cref="Download"/>.</summary>
    public sealed record Result(string? NotFound = null, string? Conflict = null, string? Failed = null, Opened? Download = null);

    public static async Task<Result> OpenAsync(
        SkillVlDbContext db, AccessService access, NodeRegistry nodes, AuditService audit, TimeProvider time, CurrentUser caller, string? remoteAddress,
        string room, string machine, int epoch, CancellationToken cancellationToken)
    {
        var target = $"{RoomReference.Parse(room)}/{machine}";
        var entity = await access.FindRoomAsync(caller, db.Rooms.AsNoTracking().Include(r => r.Machines), room, cancellationToken);
        if (entity is not { DeletionRequested: false } || entity.Machines.FirstOrDefault(m => m.Name == machine) is not { } found)
        {
            return await RefuseAsync(new(NotFound: $"Machine '{target}'"), "404");
        }

        var fence = await db.FencedCopies.AsNoTracking().FirstOrDefaultAsync(f => f.MachineId == found.Id && f.Epoch == epoch, cancellationToken);
        if (fence is null)
        {
            return await RefuseAsync(new(NotFound: $"Fenced copy of '{target}' from check-out epoch {epoch}"), "404");
        }

        if (fence.FencedAt is null)
        {
            return await RefuseAsync(new(Conflict: $"{target}: node {fence.Node} has not been back since the revive; its copy of epoch {epoch} is not set aside yet, so there is nothing to download"), "409");
        }

        if (nodes.Find(fence.Node) is not { } client || !nodes.IsReachable(client) || client.Checkouts is not { } checkouts)
        {
            return await RefuseAsync(new(Conflict: $"{target}: node {fence.Node}, which holds the fenced copy of epoch {epoch}, is offline; try again when it is connected"), "409");
        }

        FencedDiskStream? disk;
        try
        {
            disk = await checkouts.OpenFencedAsync(found.Id, epoch, cancellationToken);
        }
        catch (DriverException e) when (e.IsTransient)
        {
            return await RefuseAsync(new(Conflict: $"{target}: node {fence.Node} could not send the fenced copy of epoch {epoch} now: {e.Message}"), "409");
        }
        catch (SkillVlException e)
        {
            return await RefuseAsync(new(Failed: $"{target}: node {fence.Node} refused to send the fenced copy of epoch {epoch}: {e.Message}"), "502");
        }

        if (disk is null)
        {
            return await RefuseAsync(new(NotFound: $"Fenced copy of '{target}' from check-out epoch {epoch} (node {fence.Node} no longer holds it)"), "404");
        }

        await RecordAsync(audit, time, caller, remoteAddress, target, "opened", $"node {fence.Node}, check-out epoch {epoch}, {disk.Length} bytes");
        var fileName = string.Create(CultureInfo.InvariantCulture, $"{entity.Name}-{found.Name}-e{epoch}.qcow2");
        return new(Download: new Opened(fileName, target, fence.Node, disk));

        async Task<Result> RefuseAsync(Result result, string status)
        {
            await RecordAsync(audit, time, caller, remoteAddress, target, status, result.NotFound ?? result.Conflict ?? result.Failed);
            return result;
        }
    }

    /// <summary>Copies an open download to <paramref name="target"/> (<see cref="FencedDiskCopy"/>) and records its end;
    /// returns the outcome (<see cref="FencedDiskCopy.Completed"/> or why not).</summary>
    public static async Task<string> CopyAsync(
        AuditService audit, TimeProvider time, CurrentUser caller, string? remoteAddress, Opened download, Stream target, CancellationToken cancellationToken)
    {
        var (outcome, sent, reason) = await FencedDiskCopy.CopyAsync(download.Disk, target, cancellationToken);
        await RecordEndAsync(audit, time, caller, remoteAddress, download, outcome, sent, reason);
        return outcome;
    }

    /// <summary>The end of a transfer: <paramref name="outcome"/> is "completed", "aborted" (the caller went away) or
    /// "failed" (the client stopped sending), with the bytes that went out.</summary>
    private static Task RecordEndAsync(AuditService audit, TimeProvider time, CurrentUser caller, string? remoteAddress, Opened download, string outcome, long sent, string? reason = null) =>
        RecordAsync(audit, time, caller, remoteAddress, download.Target, outcome,
            $"node {download.Node}, check-out epoch {download.Disk.Epoch}: {sent} of {download.Disk.Length} bytes" + (reason is null ? "" : $" ({reason})"));

    private static Task RecordAsync(AuditService audit, TimeProvider time, CurrentUser caller, string? remoteAddress, string target, string outcome, string? detail) =>
        audit.AppendAsync(new AuditEntity
        {
            At = time.GetUtcNow(),
            UserId = caller.Id,
            Username = caller.Username,
            Role = caller.Role,
            Action = AuditAction,
            Target = target,
            RemoteAddress = remoteAddress,
            Outcome = outcome,
            Detail = detail,
        });
}
