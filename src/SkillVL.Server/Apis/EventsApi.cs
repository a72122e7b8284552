using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Events;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Rooms;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Apis;

/// <summary>
/// Live updates for the web UI as Server-Sent Events: "room" (summary), "machine" (status), "task" (progress) and
/// "migration" (phase, progress, metrics; without its log) events for what the caller may see, optionally one room
/// only. First everything, then what changed. The stream reads the database when something was written
/// (<see cref="ChangeSignal"/>; the reconciler writes every observation there), at most every 250 ms, and otherwise
/// every 30 s — not every second, which with EF Core's command logging filled the disk (issue 11 finding 4).
/// EventSource cannot set headers, and a token in the URL ends up in logs (finding 2): the browser asks for a
/// single-use ticket (POST /events/tickets, with its bearer token) and opens /events?ticket=…; other clients may
/// send their Authorization header. The credential is re-checked every 15 s: expired, revoked or deleted ends it.
/// </summary>
public static class EventsApi
{
    public const string Path = "/events";
    public const string TicketsPath = "/events/tickets";

    /// <summary>Reads at most this often however often the database changes (a burst of writes becomes one read).</summary>
    private static readonly TimeSpan MinReadGap = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads at least this often: bulk writes that bypass the signal, clock-driven changes.</summary>
    private static readonly TimeSpan FallbackRead = TimeSpan.FromSeconds(30);

    /// <summary>How often the credential is checked again, and a comment keeps proxies from closing a quiet stream.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapPost(TicketsPath, IssueTicket)
            .WithTags("Events")
            .WithMetadata(NotAudited.Instance)
            .Produces<EventStreamTicket>()
            .WithSummary("A single-use, 30-second ticket for the event stream (EventSource cannot send an Authorization header)");
        api.MapGet(Path, StreamAsync)
            .WithTags("Events")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Server-Sent Events: room, machine, task and migration changes you can see (?ticket= from POST /events/tickets, or an Authorization header; ?room=ID for one room)");
        return api;
    }

    private static IResult IssueTicket(HttpContext http, EventTickets tickets)
    {
        // Only a bearer credential gets here: the ticket scheme answers for GET /events alone.
        if (AuthSetup.BearerToken(http.Request) is not { } credential)
        {
            return Results.Unauthorized();
        }

        var (ticket, expires) = tickets.Issue(http.Caller().Id, credential);
        return Results.Ok(new EventStreamTicket($"{ApiPaths.Prefix}{Path}?ticket={Uri.EscapeDataString(ticket)}", expires));
    }

    private static async Task StreamAsync(
        HttpContext http, string? room, IDbContextFactory<SkillVlDbContext> dbFactory, TaskService tasks, ChangeSignal signal,
        IOptions<JsonOptions> json, TimeProvider time)
    {
        var caller = http.Caller();
        var ct = http.RequestAborted;
        var credential = http.Items[EventTicketHandler.CredentialItem] as string ?? AuthSetup.BearerToken(http.Request);
        string? roomId = null;
        string? roomName = null;
        if (room is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var found = await new AccessService(db).FindRoomAsync(caller, db.Rooms.AsNoTracking(), room, ct);
            if (found is null)
            {
                await ApiResults.NotFound($"Room '{RoomReference.Parse(room)}'").ExecuteAsync(http);
                return;
            }

            (roomId, roomName) = (found.Id, found.Name);
        }

        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var view = new StreamView(caller, roomId, roomName, json.Value.SerializerOptions);
        var lastWrite = time.GetUtcNow();
        var lastCheck = time.GetUtcNow();
        var lastRead = DateTimeOffset.MinValue;
        var read = true;
        var version = 0L;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (read)
                {
                    if (time.GetUtcNow() - lastRead is var since && since < MinReadGap)
                    {
                        await Task.Delay(MinReadGap - since, time, ct);
                    }

                    // The version before the read: a change during it wakes the next wait at once.
                    version = signal.Version;
                    lastRead = time.GetUtcNow();
                    await using (var db = await dbFactory.CreateDbContextAsync(ct))
                    {
                        foreach (var text in await view.ChangesAsync(db, tasks, ct))
                        {
                            await http.Response.WriteAsync(text, ct);
                            lastWrite = time.GetUtcNow();
                        }
                    }
                }

                if (time.GetUtcNow() - lastWrite >= Recheck)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    lastWrite = time.GetUtcNow();
                }

                await http.Response.Body.FlushAsync(ct);
                var changed = await signal.WaitAsync(version, Recheck, time, ct);
                read = changed || time.GetUtcNow() - lastRead >= FallbackRead;
                if (time.GetUtcNow() - lastCheck >= Recheck)
                {
                    // The stream outlives the check at its start: a credential that expired or was revoked, or a
                    // deleted user, ends it.
                    lastCheck = time.GetUtcNow();
                    if (credential is null || (await CredentialCheck.AuthenticateAsync(http.RequestServices, credential, ct))?.Id != caller.Id)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>What one stream shows and has sent; <see cref="ChangesAsync"/> gives the events that differ from it.</summary>
    private sealed class StreamView(CurrentUser caller, string? roomId, string? roomName, JsonSerializerOptions options)
    {
        private readonly Dictionary<string, string> _sent = new(StringComparer.Ordinal);

        public async Task<List<string>> ChangesAsync(SkillVlDbContext db, TaskService tasks, CancellationToken ct)
        {
            var access = new AccessService(db);
            var query = access.VisibleRooms(caller, db.ReadRooms());
            var rooms = await (roomId is null ? query : query.Where(r => r.Id == roomId)).ToListAsync(ct);
            var names = await RoomViews.NamesAsync(db, rooms, ct);
            var events = new List<(string Key, string Type, object Data)>();
            foreach (var r in rooms)
            {
                events.Add(($"room/{r.Id}", "room", RoomViews.Summary(r, names)));
                var networks = r.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal);
                events.AddRange(r.Machines.Select(m => ($"machine/{m.Id}", "machine", (object)new { roomId = r.Id, machine = RoomViews.Machine(m, networks) })));
            }

            var visibleTasks = await access.VisibleTaskAsync(caller, ct);
            foreach (var task in await tasks.ListAsync(visibleTasks, 50, ct))
            {
                if (roomName is null || task.Target == $"room/{roomName}" || task.Target.StartsWith($"machine/{roomName}/", StringComparison.Ordinal))
                {
                    events.Add(($"task/{task.Id}", "task", task));
                }
            }

            // Migrations: the newest of what the caller may see (kept after their room is gone, like tasks).
            var migrations = await access.VisibleMigrationsAsync(caller, ct);
            var recent = await (roomId is null ? migrations : migrations.Where(m => m.RoomId == roomId))
                .OrderByDescending(m => m.CreatedAt).Take(50).ToListAsync(ct);
            events.AddRange(recent.Select(m => ($"migration/{m.Id}", "migration", (object)MigrationViews.Info(m, withLog: false))));

            var texts = new List<string>();
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (key, type, data) in events)
            {
                current.Add(key);
                var payload = JsonSerializer.Serialize(data, options);
                if (!_sent.TryGetValue(key, out var previous) || previous != payload)
                {
                    _sent[key] = payload;
                    texts.Add($"event: {type}\ndata: {payload}\n\n");
                }
            }

            foreach (var gone in _sent.Keys.Where(k => k.StartsWith("room/", StringComparison.Ordinal) && !current.Contains(k)).ToList())
            {
                _sent.Remove(gone);
                texts.Add($"event: room-deleted\ndata: {JsonSerializer.Serialize(new { id = gone[5..] }, options)}\n\n");
            }

            return texts;
        }
    }
}
