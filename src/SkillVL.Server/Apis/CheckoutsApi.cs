using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Errors;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Rooms;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Apis;

/// <summary>
/// Check-out and check-in of a machine (issue 12, ADR 0023): a live move to its owner's client node that keeps the
/// server's copy of its disk, kept close by a background sync, and the move back that sends only what changed since.
/// Both are migrations (their record, progress and cancel are the migration's); the sync answers when it ended.
/// </summary>
public static class CheckoutsApi
{
    /// <summary>How long a check-in waits for a sync of the machine in flight before it starts.</summary>
    private static readonly TimeSpan SyncWait = TimeSpan.FromMinutes(10);

    public static RouteGroupBuilder MapCheckoutsApi(this RouteGroupBuilder api)
    {
        var machines = api.MapGroup("/rooms/{room}/machines").WithTags("Machines");

        machines.MapPost("/{machine}/checkout", (string room, string machine, CheckoutRequest request, HttpContext http, MigrationService service, CancellationToken ct) =>
            StartAsync(service, http.Caller(), new CreateMigrationRequest($"{room}/{machine}", request.To), CheckoutRules.Checkout, ct))
        .Produces<MigrationInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Check a running machine out to its owner's client node: it moves there live, the server node keeps a copy of its disk that the background sync keeps up to date");

        machines.MapPost("/{machine}/checkin", async (string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access,
            MigrationService service, CheckoutSyncService syncs, CancellationToken ct) =>
        {
            // A sync in flight ends first: the check-in's own copy starts from what it left in the bitmap.
            if (await FindAsync(db, access, http.Caller(), room, machine, ct) is { } found)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(SyncWait);
                await syncs.WaitIdleAsync(found.Id, wait.Token);
            }

            return await StartAsync(service, http.Caller(), new CreateMigrationRequest($"{room}/{machine}", To: null), CheckoutRules.Checkin, ct);
        })
        .Produces<MigrationInfo>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithSummary("Check a machine in: it moves back live onto its retained copy, sending only the blocks changed since the last sync plus RAM");

        machines.MapPost("/{machine}/revive", async (string room, string machine, ReviveRequest? request, HttpContext http, SkillVlDbContext db,
            AccessService access, ReviveService revive, CancellationToken ct) =>
        {
            var entity = await access.FindRoomAsync(http.Caller(), db.ReadRooms(), room, ct);
            if (entity is not { DeletionRequested: false } || entity.Machines.FirstOrDefault(m => m.Name == machine) is not { } found)
            {
                return ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'");
            }

            var result = await revive.ReviveAsync(http.Caller(), entity, found, request?.Lost ?? false, ct);
            return result switch
            {
                { Revived: { } revived } => Results.Ok(RoomViews.Machine(revived, entity.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal)) with
                {
                    FencedCopies = await FencedAsync(db, revived.Id, ct),
                }),
                { Unavailable: { } unavailable } => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Revive not possible now", detail: unavailable),
                _ => ApiResults.Conflict(result.Conflict!),
            };
        })
        .Produces<Core.Api.MachineStatus>()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Revive a checked-out machine on its retained node from its last synced copy: after its lease ran out, or with lost=true when its client is declared lost; the client's copy is fenced");

        machines.MapDelete("/{machine}/fenced/{epoch}", DiscardFencedAsync)
        .Produces(StatusCodes.Status204NoContent)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Discard a fenced copy of a machine (the client's copy set aside by a revive): deleted on its client, which must be reachable; one the client has not been back with is forgotten, and deleted when the client returns");

        machines.MapGet("/{machine}/fenced/{epoch}/disk", DownloadFencedAsync)
        .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status502BadGateway)
        .WithSummary("Download a fenced copy's disk (qcow2, as the client set it aside) from the client that keeps it, streamed over the client's own connection; the client must be online");

        machines.MapPost("/{machine}/sync", SyncAsync)
        .Produces<CheckoutSyncInfo>()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
        .WithSummary("Sync a checked-out machine now: its client copies the blocks written since the last sync into the retained copy; answers when the copy ended");
        return api;
    }

    private static async Task<IResult> StartAsync(MigrationService service, CurrentUser caller, CreateMigrationRequest request, string purpose, CancellationToken ct)
    {
        var result = await service.CreateAsync(caller, request, purpose, ct);
        return result switch
        {
            { Created: { } created } => ApiResults.Accepted(MigrationViews.Info(created)),
            { NotFound: { } what } => ApiResults.NotFound(what),
            { Forbidden: { } forbidden } => NodePinAnswers.Answer(new NodePinning.Refusal(true, forbidden), $"The {purpose} request is not valid."),
            { Conflict: { } conflict } => ApiResults.Conflict(conflict),
            _ => ApiResults.Invalid(result.Errors ?? [], $"The {purpose} request is not valid."),
        };
    }

    private static async Task<IResult> DiscardFencedAsync(string room, string machine, string epoch, HttpContext http, SkillVlDbContext db,
        AccessService access, Nodes.NodeRegistry nodes, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!int.TryParse(epoch, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return ApiResults.Invalid("epoch", $"'{epoch}' is not a check-out epoch: a whole number ≥ 0 (skillvl vm show lists the fenced copies)", "The discard request is not valid.");
        }

        if (await FindAsync(db, access, http.Caller(), room, machine, ct) is not { } found)
        {
            return ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'");
        }

        var result = await FencedCopies.DiscardAsync(db, nodes, $"{RoomReference.Parse(room)}/{machine}", found.Id, number, http.Caller().Username, loggers.CreateLogger(typeof(FencedCopies)), ct);
        return result switch
        {
            { NotFound: { } what } => ApiResults.NotFound(what),
            { Unavailable: { } unavailable } => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Discard not possible now", detail: unavailable),
            _ => Results.NoContent(),
        };
    }

    private static async Task<IResult> DownloadFencedAsync(string room, string machine, string epoch, HttpContext http, SkillVlDbContext db,
        AccessService access, Nodes.NodeRegistry nodes, Audit.AuditService audit, TimeProvider time, CancellationToken ct)
    {
        if (!int.TryParse(epoch, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return ApiResults.Invalid("epoch", $"'{epoch}' is not a check-out epoch: a whole number ≥ 0 (skillvl vm show lists the fenced copies)", "The download request is not valid.");
        }

        var caller = http.Caller();
        var remote = http.Connection.RemoteIpAddress?.ToString();
        var result = await FencedDownloads.OpenAsync(db, access, nodes, audit, time, caller, remote, room, machine, number, ct);
        if (result.Download is not { } download)
        {
            return result switch
            {
                { NotFound: { } what } => ApiResults.NotFound(what),
                { Conflict: { } conflict } => ApiResults.Conflict(conflict),
                _ => Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Download failed", detail: result.Failed),
            };
        }

        await using (download.Disk)
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            http.Response.ContentType = "application/octet-stream";
            http.Response.ContentLength = download.Disk.Length;
            http.Response.Headers.ContentDisposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileName = download.FileName }.ToString();
            http.Response.Headers.CacheControl = "no-store";
            if (await FencedDownloads.CopyAsync(audit, time, caller, remote, download, http.Response.Body, ct) != FencedDiskCopy.Completed)
            {
                // Headers and part of the body are out: only breaking the connection tells the caller it is incomplete.
                http.Abort();
            }
        }

        return Results.Empty;
    }

    private static async Task<IResult> SyncAsync(
        string room, string machine, HttpContext http, SkillVlDbContext db, AccessService access, CheckoutSyncService syncs, CancellationToken ct)
    {
        if (await FindAsync(db, access, http.Caller(), room, machine, ct) is not { } found)
        {
            return ApiResults.NotFound($"Machine '{RoomReference.Parse(room)}/{machine}'");
        }

        if (found.CheckoutNode is null)
        {
            return ApiResults.Conflict($"{RoomReference.Parse(room)}/{machine} is not checked out: there is nothing to sync");
        }

        try
        {
            var result = await syncs.SyncNowAsync(found.Id, ct);
            var after = await FindAsync(db, access, http.Caller(), room, machine, ct);
            return after is not null && RoomViews.Checkout(after) is { } checkout
                ? Results.Ok(new CheckoutSyncInfo(checkout, result.BytesCopied, result.TunnelBytes, result.Elapsed.TotalMilliseconds, result.FullCopy))
                : ApiResults.Conflict($"{RoomReference.Parse(room)}/{machine} was checked in while it synced");
        }
        catch (DriverException e) when (e.IsTransient)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sync not possible now", detail: $"{RoomReference.Parse(room)}/{machine}: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Sync failed", detail: $"{RoomReference.Parse(room)}/{machine}: {e.Message}");
        }
    }

    /// <summary>The machine's fenced copies as the API shows them (ADR 0025); null when there are none.</summary>
    public static async Task<IReadOnlyList<FencedCopyInfo>?> FencedAsync(SkillVlDbContext db, string machineId, CancellationToken ct)
    {
        var copies = await db.FencedCopies.AsNoTracking().Where(f => f.MachineId == machineId).OrderBy(f => f.Epoch).ToListAsync(ct);
        return copies.Count == 0 ? null : copies.Select(RoomViews.Fenced).ToList();
    }

    private static async Task<MachineEntity?> FindAsync(SkillVlDbContext db, AccessService access, CurrentUser caller, string room, string machine, CancellationToken ct)
    {
        var entity = await access.FindRoomAsync(caller, db.ReadRooms(), room, ct);
        return entity is { DeletionRequested: false } ? entity.Machines.FirstOrDefault(m => m.Name == machine) : null;
    }
}
