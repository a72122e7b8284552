using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Rooms;

/// <summary>
/// Carries out rooms' lifetimes (issue 18, ADR 0058): once a room's <c>lifetime.stopAfter</c> has passed since its
/// creation, its running machines are stopped (a room.stop task, as a user's stop); once <c>deleteAfter</c> has passed
/// too, the room is deleted (a room.delete task). Starts after the stop are refused by <see cref="RoomService"/>; a new
/// apply with a longer lifetime lets the room run again. A machine idle for <c>idleStopAfter</c> (no console open, its CPU
/// under <see cref="SkillVlServerOptions.IdleCpuPercent"/>: <see cref="Reconciliation.MachineActivity"/>) is stopped (ADR 0061). Looks every
/// <see cref="SkillVlServerOptions.RoomLifetimeInterval"/>.
/// </summary>
public sealed class RoomLifetimeService(
    IDbContextFactory<SkillVlDbContext> dbFactory,
    IServiceScopeFactory scopes,
    Reconciliation.MachineActivity activity,
    Consoles.ConsoleSessions consoles,
    StartupGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<RoomLifetimeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await gate.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.RoomLifetimeInterval, time);
        do
        {
            try
            {
                await EnforceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                RoomLifetimeLog.Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One look over the rooms that have a lifetime.</summary>
    internal async Task EnforceAsync(CancellationToken cancellationToken)
    {
        List<(string Id, string Name, DateTimeOffset CreatedAt, string Json)> rooms;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // The document is JSON as the room schema writes it: only rooms that name a lifetime are read in full.
            rooms = (await db.Rooms.AsNoTracking().Where(r => !r.DeletionRequested && r.DefinitionJson.Contains("\"lifetime\""))
                .Select(r => new { r.Id, r.Name, r.CreatedAt, r.DefinitionJson }).ToListAsync(cancellationToken))
                .Select(r => (r.Id, r.Name, r.CreatedAt, r.DefinitionJson)).ToList();
        }

        var now = time.GetUtcNow();
        foreach (var (id, name, createdAt, json) in rooms)
        {
            var lifetime = RoomDocument.Parse(json).Definition?.Lifetime;
            if (lifetime?.DeletesAt(createdAt) is { } deleteAt && deleteAt <= now)
            {
                if (await ActAsync(id, deleting: true, cancellationToken))
                {
                    RoomLifetimeLog.Deleted(logger, name, deleteAt);
                }
            }
            else if (lifetime?.StopsAt(createdAt) is { } stopAt && stopAt <= now)
            {
                if (await ActAsync(id, deleting: false, cancellationToken))
                {
                    RoomLifetimeLog.Stopped(logger, name, stopAt);
                }
            }
            else if (lifetime?.IdleStopAfter is { } idleAfter && LifetimeDuration.TryParse(idleAfter, out var idle))
            {
                await StopIdleAsync(id, idleAfter, idle, cancellationToken);
            }
        }
    }

    /// <summary>Stops each machine of the room meant to run that has been idle for <paramref name="idle"/> (ADR 0061): a
    /// machine.stop task, as its owner's stop; starting it again is allowed.</summary>
    private async Task StopIdleAsync(string roomId, string idleAfter, TimeSpan idle, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SkillVlDbContext>();
        var room = await db.Rooms.Include(r => r.Machines).FirstOrDefaultAsync(r => r.Id == roomId && !r.DeletionRequested, cancellationToken);
        if (room is null)
        {
            return;
        }

        var rooms = scope.ServiceProvider.GetRequiredService<RoomService>();
        foreach (var machine in room.Machines.Where(m => m.DesiredState == MachineStates.Running).ToList())
        {
            if (activity.IdleFor(machine.Id, consoles.IsOpenOn(machine.Id)) is { } idleFor && idleFor >= idle
                && await rooms.MachineActionAsync(room, machine.Name, "stop", cancellationToken) is { Task: not null })
            {
                RoomLifetimeLog.IdleStopped(logger, room.Name, machine.Name, idleFor.TotalMinutes, idleAfter);
            }
        }
    }

    /// <summary>Deletes the room, or stops its machines when one of them is meant to run; false when nothing was to do.</summary>
    private async Task<bool> ActAsync(string roomId, bool deleting, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SkillVlDbContext>();
        var rooms = scope.ServiceProvider.GetRequiredService<RoomService>();
        var room = await db.Rooms.Include(r => r.Machines).FirstOrDefaultAsync(r => r.Id == roomId && !r.DeletionRequested, cancellationToken);
        if (room is null)
        {
            return false;
        }

        if (deleting)
        {
            await rooms.DeleteAsync(room, cancellationToken);
            return true;
        }

        if (room.Machines.All(m => m.DesiredState != MachineStates.Running))
        {
            return false;
        }

        await rooms.SetPowerAsync(room, run: false, cancellationToken);
        return true;
    }
}
