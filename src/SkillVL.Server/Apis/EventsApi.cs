using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Migrations;
using SkillVL.Server.Rooms;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Apis;

/// <summary>
/// Live updates for the web UI as Server-Sent Events: "room" (summary), "machine" (status), "task" (progress) and
/// "migration" (phase, progress, metrics; without its log) events for what the caller may see, optionally one room only. First everything, then what changed. The stream
/// looks at the database once a second (the reconciler writes every observation there), so it needs no bus.
/// EventSource cannot set headers: the token may come as ?access_token= on this route only.
/// </summary>
public static class EventsApi
{
    public const string Path = "/events";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet(Path, StreamAsync)
            .WithTags("Events")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Server-Sent Events: room, machine, task and migration changes you can see (?room=ID for one room)");
        return api;
    }

    private static async Task StreamAsync(
        HttpContext http, string? room, IDbContextFactory<SkillVlDbContext> dbFactory, TaskService tasks, IOptions<JsonOptions> json, TimeProvider time)
    {
        var caller = http.Caller();
        var ct = http.RequestAborted;
        string? roomId = null;
        string? roomName = null;
        if (room is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var found = await new AccessService(db).FindRoomAsync(caller, db.Rooms.AsNoTracking(), room, ct);
            if (found is null)
            {
                await ApiResults.NotFound($"Room '{room}'").ExecuteAsync(http);
                return;
            }

            (roomId, roomName) = (found.Id, found.Name);
        }

        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var options = json.Value.SerializerOptions;
        var sent = new Dictionary<string, string>(StringComparer.Ordinal);
        var lastWrite = time.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            // The stream outlives the check at its start: a token that expired or was revoked, or a deleted user,
            // ends it.
            var still = await http.AuthenticateAsync(AuthSetup.Scheme);
            if (!still.Succeeded || CurrentUser.From(still.Principal!)?.Id != caller.Id)
            {
                return;
            }

            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                var access = new AccessService(db);
                var query = access.VisibleRooms(caller, RoomsApi.LoadRooms(db));
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

                var current = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, type, data) in events)
                {
                    current.Add(key);
                    var payload = JsonSerializer.Serialize(data, options);
                    if (!sent.TryGetValue(key, out var previous) || previous != payload)
                    {
                        sent[key] = payload;
                        await http.Response.WriteAsync($"event: {type}\ndata: {payload}\n\n", ct);
                        lastWrite = time.GetUtcNow();
                    }
                }

                foreach (var gone in sent.Keys.Where(k => k.StartsWith("room/", StringComparison.Ordinal) && !current.Contains(k)).ToList())
                {
                    sent.Remove(gone);
                    await http.Response.WriteAsync($"event: room-deleted\ndata: {JsonSerializer.Serialize(new { id = gone[5..] }, options)}\n\n", ct);
                }
            }

            if (time.GetUtcNow() - lastWrite > KeepAlive)
            {
                await http.Response.WriteAsync(": keep-alive\n\n", ct);
                lastWrite = time.GetUtcNow();
            }

            await http.Response.Body.FlushAsync(ct);
            try
            {
                await Task.Delay(Interval, time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
