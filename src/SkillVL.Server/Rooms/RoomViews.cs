using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Machines;
using SkillVL.Server.Reconciliation;

namespace SkillVL.Server.Rooms;

/// <summary>Maps rows to the API's records.</summary>
public static class RoomViews
{
    public static RoomSummary Summary(RoomEntity room, RoomNames names) => new(
        room.Id,
        room.Name,
        Phase(room),
        room.Machines.Count,
        room.Machines.Count(m => m.ObservedState == MachineStates.Running),
        room.Generation,
        room.CreatedAt,
        names.Users.GetValueOrDefault(room.OwnerId),
        room.CourseId is null ? null : names.Courses.GetValueOrDefault(room.CourseId),
        room.CourseVersion);

    /// <summary>Owner usernames and course names of <paramref name="rooms"/>, in two queries.</summary>
    public static async Task<RoomNames> NamesAsync(SkillVlDbContext db, IReadOnlyCollection<RoomEntity> rooms, CancellationToken cancellationToken)
    {
        var userIds = rooms.Select(r => r.OwnerId).Distinct().ToList();
        var courseIds = rooms.Where(r => r.CourseId != null).Select(r => r.CourseId!).Distinct().ToList();
        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Username, cancellationToken);
        var courses = await db.Courses.AsNoTracking().Where(c => courseIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        return new RoomNames(users, courses);
    }

    public static RoomDetails Details(RoomEntity room, RoomNames names)
    {
        var networks = room.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var definition = RoomDocument.Parse(room.DefinitionJson).Definition ?? new RoomDefinition();
        return new RoomDetails(
            room.Id,
            room.Name,
            Phase(room),
            room.Generation,
            room.ObservedGeneration,
            room.CreatedAt,
            room.UpdatedAt,
            definition,
            room.Machines.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => Machine(m, networks)).ToList(),
            room.Networks.OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new NetworkStatus(n.Id, n.Name, n.Cidr, n.Mtu)).ToList(),
            names.Users.GetValueOrDefault(room.OwnerId),
            room.CourseId is null ? null : names.Courses.GetValueOrDefault(room.CourseId),
            room.CourseVersion,
            definition.Lifetime?.StopsAt(room.CreatedAt),
            definition.Lifetime?.DeletesAt(room.CreatedAt));
    }

    public static MachineStatus Machine(MachineEntity machine, IReadOnlyDictionary<string, NetworkEntity> networks) => new(
        machine.Id,
        machine.Name,
        machine.NodeName,
        machine.ObservedState,
        machine.DesiredState,
        machine.GuestReady,
        machine.Cpus,
        machine.MemoryBytes,
        machine.Nics.OrderBy(n => n.Index)
            .Select(n => new NicStatus(networks.TryGetValue(n.NetworkId, out var net) ? net.Name : n.NetworkId, n.Ip, n.MacAddress))
            .ToList(),
        machine.LastError,
        Checkout(machine));

    /// <summary>The machine's check-out as the API shows it; null when it is not checked out.</summary>
    public static Core.Api.Checkouts.CheckoutInfo? Checkout(MachineEntity machine) =>
        machine is { CheckoutNode: { } node, CheckoutRetainedOn: { } retainedOn, CheckoutSince: { } since }
            ? new(node, retainedOn, since, machine.CheckoutLastSyncAt, machine.CheckoutUnsyncedBytes, machine.CheckoutSyncedBytes,
                machine.CheckoutLeaseExpiresAt, machine.CheckoutEpoch)
            : null;

    /// <summary>A fenced copy as the API shows it (ADR 0025).</summary>
    public static Core.Api.Checkouts.FencedCopyInfo Fenced(FencedCopyEntity copy) =>
        new(copy.Node, copy.Epoch, copy.RevivedAt, copy.RevivedBy, copy.Lost, copy.FencedAt, copy.Path, copy.SizeBytes, copy.BytesSinceSync);

    /// <summary>Deleting, Pending (converging), Ready, Stopped or Degraded (a machine failed or crashed).</summary>
    public static string Phase(RoomEntity room)
    {
        if (room.DeletionRequested)
        {
            return "Deleting";
        }

        if (room.Machines.Any(m => m.ObservedState is MachineStates.Error or MachineStates.Crashed))
        {
            return "Degraded";
        }

        var networks = room.Networks.ToDictionary(n => n.Id, StringComparer.Ordinal);
        if (room.ObservedGeneration < room.Generation
            || room.Machines.Any(m => !ReconcileLoop.IsConverged(m, MachineSpecs.ToSpec(m, networks))))
        {
            return "Pending";
        }

        return room.Machines.Any(m => m.DesiredState == MachineStates.Running) ? "Ready" : "Stopped";
    }
}
