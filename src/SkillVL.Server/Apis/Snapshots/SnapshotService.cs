using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Api.Snapshots;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Snapshots;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Nodes;
using SkillVL.Server.Quotas;

namespace SkillVL.Server.Apis.Snapshots;

/// <summary>
/// Snapshots of machines (issue 18, ADR 0051): the node takes, reverts and deletes them in the machine's disk; this
/// keeps their records, refuses what would lose or corrupt them (a machine checked out or migrating: its disk is being
/// copied elsewhere and internal snapshots do not travel), and counts their bytes in the disk quota. The caller's
/// right to the room is checked by the API before (404 for whoever cannot see it). Calls answer when the node is done:
/// a snapshot of a 1 GiB guest takes seconds, not a task's minutes. It sits with the API that is its only user: as a
/// folder of its own it would need the nodes, quotas and options, all inside the Server's one cycle (ADR 0048).
/// </summary>
public sealed class SnapshotService(
    SkillVlDbContext db,
    NodeRegistry nodes,
    QuotaService quotas,
    CapacityGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time,
    ILogger<SnapshotService> logger)
{
    /// <summary>The machine's snapshots, oldest first. When its node answers, records of snapshots it no longer has
    /// (a machine rebuilt from a fresh disk) are dropped, so they stop counting in the quota.</summary>
    public async Task<IReadOnlyList<SnapshotInfo>> ListAsync(MachineEntity machine, CancellationToken cancellationToken)
    {
        var rows = await db.Snapshots.Where(s => s.MachineId == machine.Id).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        if (rows.Count > 0 && machine.CheckoutNode is null && Driver(machine) is { } driver)
        {
            IReadOnlyList<VmSnapshot>? onNode = null;
            try
            {
                onNode = await driver.ListAsync(machine.Id, cancellationToken);
            }
            catch (DriverException)
            {
                // The node is away: the records stand until it answers.
            }

            if (onNode is not null)
            {
                var names = onNode.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
                foreach (var gone in rows.Where(r => !names.Contains(r.Name)).ToList())
                {
                    SnapshotLog.Vanished(logger, gone.Name, machine.Name, machine.NodeName);
                    db.Snapshots.Remove(gone);
                    rows.Remove(gone);
                }

                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return rows.Select(r => Info(machine.Name, r)).ToList();
    }

    /// <summary>Every machine's snapshots of the room, by machine then age.</summary>
    public async Task<IReadOnlyList<SnapshotInfo>> ListRoomAsync(RoomEntity room, CancellationToken cancellationToken)
    {
        var all = new List<SnapshotInfo>();
        foreach (var machine in room.Machines.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            all.AddRange(await ListAsync(machine, cancellationToken));
        }

        return all;
    }

    public async Task<SnapshotOutcome<SnapshotInfo>> CreateAsync(
        RoomEntity room, MachineEntity machine, CreateSnapshotRequest request, string username, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (!SnapshotNames.IsValid(name))
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 400,
                $"must be 1 to {SnapshotNames.MaxLength} lower-case letters, digits and inner hyphens (got '{request.Name}')", "name");
        }

        var withRam = request.Ram ?? false;
        if (await BusyAsync(room, machine, cancellationToken) is { } busy)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 409, busy);
        }

        if (await db.Snapshots.AnyAsync(s => s.MachineId == machine.Id && s.Name == name, cancellationToken))
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 409, $"{room.Name}/{machine.Name} already has a snapshot named '{name}'");
        }

        var limit = options.Value.Limits.SnapshotsPerMachine;
        if (await db.Snapshots.CountAsync(s => s.MachineId == machine.Id, cancellationToken) >= limit)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 409,
                $"{room.Name}/{machine.Name} has {limit} snapshots, the most one machine may have (SkillVL:Limits:SnapshotsPerMachine): delete one first");
        }

        if (Driver(machine) is not { } driver)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 503, $"node {machine.NodeName} of {room.Name}/{machine.Name} offers no snapshots");
        }

        // From the node's measure to the saved row under the capacity gate, like every other quota check.
        using var capacity = await gate.EnterAsync(cancellationToken);
        VmSnapshot taken;
        try
        {
            taken = await driver.CreateAsync(machine.Id, name, withRam, cancellationToken);
        }
        catch (InvalidVmStateException e)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 409, $"{room.Name}/{machine.Name}: {e.Message} (start it, or take a disk-only snapshot)");
        }
        catch (DriverException e)
        {
            return NodeFailed<SnapshotInfo>(room, machine, e);
        }

        if (await quotas.CheckDiskGrowthAsync(room, taken.SizeBytes, cancellationToken) is { } violation)
        {
            await UndoAsync(driver, machine, name);
            return new SnapshotOutcome<SnapshotInfo>(null, 422, violation.Message, Quota: violation);
        }

        var row = new SnapshotEntity
        {
            Id = ShortId.New(),
            MachineId = machine.Id,
            RoomId = room.Id,
            Name = name,
            WithRam = taken.WithRam,
            CreatedAt = time.GetUtcNow(),
            CreatedBy = username,
            SizeBytes = taken.SizeBytes,
        };
        db.Snapshots.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        SnapshotLog.Created(logger, name, $"{room.Name}/{machine.Name}", username, row.WithRam, row.SizeBytes);
        return new(Info(machine.Name, row));
    }

    public async Task<SnapshotOutcome<SnapshotInfo>> RevertAsync(RoomEntity room, MachineEntity machine, string name, CancellationToken cancellationToken)
    {
        if (await db.Snapshots.AsNoTracking().FirstOrDefaultAsync(s => s.MachineId == machine.Id && s.Name == name, cancellationToken) is not { } row)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 404, $"Snapshot '{name}' of machine '{room.Name}/{machine.Name}'");
        }

        if (await BusyAsync(room, machine, cancellationToken) is { } busy)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 409, busy);
        }

        if (Driver(machine) is not { } driver)
        {
            return new SnapshotOutcome<SnapshotInfo>(default, 503, $"node {machine.NodeName} of {room.Name}/{machine.Name} offers no snapshots");
        }

        try
        {
            await driver.RevertAsync(machine.Id, name, cancellationToken);
        }
        catch (DriverException e)
        {
            return NodeFailed<SnapshotInfo>(room, machine, e);
        }

        SnapshotLog.Reverted(logger, name, $"{room.Name}/{machine.Name}");
        return new(Info(machine.Name, row));
    }

    public async Task<SnapshotOutcome<bool>> DeleteAsync(RoomEntity room, MachineEntity machine, string name, CancellationToken cancellationToken)
    {
        if (await db.Snapshots.FirstOrDefaultAsync(s => s.MachineId == machine.Id && s.Name == name, cancellationToken) is not { } row)
        {
            return new SnapshotOutcome<bool>(default, 404, $"Snapshot '{name}' of machine '{room.Name}/{machine.Name}'");
        }

        if (await BusyAsync(room, machine, cancellationToken) is { } busy)
        {
            return new SnapshotOutcome<bool>(default, 409, busy);
        }

        if (Driver(machine) is not { } driver)
        {
            return new SnapshotOutcome<bool>(default, 503, $"node {machine.NodeName} of {room.Name}/{machine.Name} offers no snapshots");
        }

        try
        {
            await driver.DeleteAsync(machine.Id, name, cancellationToken);
        }
        catch (DriverException e)
        {
            return NodeFailed<bool>(room, machine, e);
        }

        db.Snapshots.Remove(row);
        await db.SaveChangesAsync(cancellationToken);
        SnapshotLog.Deleted(logger, name, $"{room.Name}/{machine.Name}");
        return new(true);
    }

    /// <summary>
    /// Every machine of the room gets snapshot <see cref="CreateSnapshotRequest.Name"/>, one after another (each guest is
    /// paused only while its own memory is written; the machines are seconds apart, not one instant — ADR 0051). All or
    /// nothing: when one machine refuses, the ones already taken are deleted again.
    /// </summary>
    public async Task<SnapshotOutcome<IReadOnlyList<SnapshotInfo>>> CreateRoomAsync(
        RoomEntity room, CreateSnapshotRequest request, string username, CancellationToken cancellationToken)
    {
        var taken = new List<(MachineEntity Machine, SnapshotInfo Info)>();
        foreach (var machine in room.Machines.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var outcome = await CreateAsync(room, machine, request, username, cancellationToken);
            if (outcome.Value is null)
            {
                foreach (var (done, info) in taken)
                {
                    await DeleteAsync(room, done, info.Name, CancellationToken.None);
                }

                return new(null, outcome.Status, outcome.Detail, outcome.Field, outcome.Quota);
            }

            taken.Add((machine, outcome.Value));
        }

        return new(taken.Select(t => t.Info).ToList());
    }

    /// <summary>Reverts (or deletes) snapshot <paramref name="name"/> of every machine of the room that has it; 404 when none has.</summary>
    public async Task<SnapshotOutcome<IReadOnlyList<SnapshotInfo>>> ForRoomAsync(
        RoomEntity room, string name, bool revert, CancellationToken cancellationToken)
    {
        var ids = room.Machines.Select(m => m.Id).ToList();
        var having = await db.Snapshots.AsNoTracking().Where(s => ids.Contains(s.MachineId) && s.Name == name).Select(s => s.MachineId).ToListAsync(cancellationToken);
        if (having.Count == 0)
        {
            return new SnapshotOutcome<IReadOnlyList<SnapshotInfo>>(default, 404, $"Snapshot '{name}' of room '{room.Name}'");
        }

        var done = new List<SnapshotInfo>();
        foreach (var machine in room.Machines.Where(m => having.Contains(m.Id)).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (revert)
            {
                var outcome = await RevertAsync(room, machine, name, cancellationToken);
                if (outcome.Value is null)
                {
                    return new(null, outcome.Status, outcome.Detail, outcome.Field);
                }

                done.Add(outcome.Value);
            }
            else
            {
                var outcome = await DeleteAsync(room, machine, name, cancellationToken);
                if (!outcome.Value)
                {
                    return new(null, outcome.Status, outcome.Detail, outcome.Field);
                }
            }
        }

        return new(done);
    }

    /// <summary>Why the machine's disk is not here to snapshot now, or null: internal snapshots live in the disk file, which
    /// a check-out or migration is copying elsewhere (and would not carry them).</summary>
    private async Task<string?> BusyAsync(RoomEntity room, MachineEntity machine, CancellationToken cancellationToken)
    {
        if (machine.CheckoutNode is { } client)
        {
            return $"{room.Name}/{machine.Name} is checked out to {client}: its disk is there; check it in first";
        }

        if (await db.Migrations.AnyAsync(m => m.MachineId == machine.Id && (m.State == MigrationStates.Pending || m.State == MigrationStates.Running), cancellationToken))
        {
            return $"{room.Name}/{machine.Name} is migrating: wait for the migration to end or cancel it (skillvl migration list)";
        }

        return null;
    }

    private IVmSnapshotDriver? Driver(MachineEntity machine) => nodes.Find(machine.NodeName)?.Snapshots;

    private static SnapshotOutcome<T> NodeFailed<T>(RoomEntity room, MachineEntity machine, DriverException e) =>
        new SnapshotOutcome<T>(default, e.IsTransient ? 503 : 502, $"{room.Name}/{machine.Name} on node {machine.NodeName}: {e.Message}");

    private async Task UndoAsync(IVmSnapshotDriver driver, MachineEntity machine, string name)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await driver.DeleteAsync(machine.Id, name, bounded.Token);
        }
        catch (Exception e) when (e is DriverException or OperationCanceledException)
        {
            SnapshotLog.UndoFailed(logger, name, machine.Name, e);
        }
    }

    private static SnapshotInfo Info(string machine, SnapshotEntity row) =>
        new(machine, row.Name, row.WithRam, row.SizeBytes, row.CreatedAt, row.CreatedBy);
}
