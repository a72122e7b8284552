using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Quantities;
using SkillVL.Core.Rooms;
using SkillVL.Server.Courses;
using SkillVL.Server.Data;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;
using SkillVL.Server.Quotas;
using SkillVL.Server.Scheduling;
using Microsoft.Extensions.Options;
using SkillVL.Server.Hosting;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Rooms;

/// <summary>
/// Writes desired state for rooms: validates a definition, turns it into rows (keeping ids of what did not
/// change, so an update converges instead of rebuilding), and opens a task the reconciler completes. Every change
/// that takes capacity (create, resize, start) holds the <see cref="CapacityGate"/> from its quota and node checks to
/// its save, so parallel requests cannot together exceed a quota or a node.
/// </summary>
public sealed class RoomService(
    SkillVlDbContext db,
    TaskService tasks,
    NodeRegistry nodes,
    ReconcileTrigger trigger,
    QuotaService quotas,
    VniPool vnis,
    CapacityGate gate,
    IOptions<SkillVlServerOptions> options,
    Templates.TemplateHealth templateHealth,
    Consoles.ConsoleSessions consoles,
    TimeProvider time)
{
    private readonly string schedulingPolicy = options.Value.SchedulingPolicy;

    private readonly NodeCapacities capacities = new(db, nodes, options.Value.MemoryOvercommit);

    /// <summary>Held around changes that take capacity; <see cref="CreateInstanceAsync"/> expects its caller to hold it.</summary>
    public CapacityGate Gate => gate;

    public const int DefaultMtu = 1450;

    /// <summary>The rows a room is converged with (tracked, for changes).</summary>
    public IQueryable<RoomEntity> TrackedRooms =>
        db.Rooms.WithChildren();

    /// <summary>
    /// Creates a room of <paramref name="owner"/> (when <paramref name="existing"/> is null) or updates
    /// <paramref name="existing"/> to the document.
    /// </summary>
    /// <param name="nameInUrl">The room named in the URL (PUT of a room that does not exist yet), or null.</param>
    public async Task<ApplyResult> ApplyAsync(UserEntity owner, RoomEntity? existing, string? nameInUrl, string document, CancellationToken cancellationToken)
    {
        var parsed = RoomDocument.Parse(document);
        if (!parsed.IsValid || parsed.Definition is null)
        {
            return ApplyResult.Invalid(parsed.Errors);
        }

        var definition = parsed.Definition;
        var expectedName = existing?.Name ?? nameInUrl;
        if (expectedName is not null && !string.Equals(expectedName, definition.Metadata.Name, StringComparison.Ordinal))
        {
            return ApplyResult.Invalid(
                "metadata.name",
                $"'{definition.Metadata.Name}' does not match the room name in the URL ('{expectedName}').");
        }

        var templates = await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, cancellationToken);
        var errors = RoomValidator.Validate(definition, ValidationContext(templates.Values));
        if (errors.Count > 0)
        {
            return ApplyResult.Invalid(errors);
        }

        if (existing is { CourseId: not null, CourseVersion: { } version }
            && await db.CourseVersions.AsNoTracking().FirstOrDefaultAsync(v => v.CourseId == existing.CourseId && v.Version == version, cancellationToken) is { } published
            && RoomDocument.Parse(published.DefinitionJson).Definition is { } publishedDefinition
            && CourseInstanceEdits.Check(publishedDefinition, definition, version) is { Count: > 0 } edits)
        {
            return ApplyResult.Invalid(edits);
        }

        using var holding = await gate.EnterAsync(cancellationToken);
        if (existing is null && await db.Rooms.AnyAsync(r => r.OwnerId == owner.Id && r.Name == definition.Metadata.Name, cancellationToken))
        {
            return ApplyResult.InConflict($"You already have a room named '{definition.Metadata.Name}'.");
        }

        var maxRooms = options.Value.Limits.RoomsPerUser;
        if (existing is null && owner.Role != PlatformRoles.Admin
            && await db.Rooms.CountAsync(r => r.OwnerId == owner.Id && r.CourseId == null && !r.DeletionRequested, cancellationToken) >= maxRooms)
        {
            return ApplyResult.Invalid("rooms", $"user '{owner.Username}' already has {maxRooms} rooms, the most allowed (SkillVL:Limits:RoomsPerUser); delete one first. Course instances do not count.");
        }

        if (existing is { DeletionRequested: true })
        {
            return ApplyResult.InConflict($"Room '{existing.Name}' is being deleted; apply it again when that task has finished.");
        }

        var course = existing?.CourseId is { } courseId ? await db.Courses.FindAsync([courseId], cancellationToken) : null;
        var violation = await quotas.CheckAsync(owner, course, existing?.Id, Demands(definition, existing, templates, freshMachines: false), cancellationToken);
        if (violation is not null)
        {
            return ApplyResult.OverQuota(violation);
        }

        var created = existing is null;
        var room = existing ?? NewRoom(definition.Metadata.Name, owner.Id, null, null);
        return await SaveAndOpenTaskAsync(room, definition, templates, created, freshMachines: false, created ? "room.apply" : "room.apply", cancellationToken);
    }

    /// <summary>
    /// Makes a student's instance of a course's published room (no quota check: publish checks the course). The caller
    /// holds <see cref="Gate"/> (it checked the course's quota for all instances it makes).
    /// </summary>
    public async Task<ApplyResult> CreateInstanceAsync(UserEntity student, CourseEntity course, int version, RoomDefinition definition, CancellationToken cancellationToken)
    {
        var templates = await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, cancellationToken);
        var name = definition.Metadata.Name;
        if (await db.Rooms.AnyAsync(r => r.OwnerId == student.Id && r.Name == name, cancellationToken))
        {
            name = $"{course.Name}-{name}";
            name = name.Length > 32 ? name[..32].TrimEnd('-') : name;
        }

        if (await db.Rooms.AnyAsync(r => r.OwnerId == student.Id && r.Name == name, cancellationToken))
        {
            return ApplyResult.InConflict($"Student '{student.Username}' already has a room named '{name}'.");
        }

        var room = NewRoom(name, student.Id, course.Id, version);
        return await SaveAndOpenTaskAsync(room, Renamed(definition, name), templates, created: true, freshMachines: false, "room.apply", cancellationToken);
    }

    /// <summary>
    /// Rebuilds a room's machines from their templates (new disks): a course instance from its version's baseline,
    /// another room from its current definition.
    /// </summary>
    public async Task<ApplyResult> ResetAsync(RoomEntity room, CancellationToken cancellationToken)
    {
        using var holding = await gate.EnterAsync(cancellationToken);
        return await RebuildAsync(room, room.CourseVersion, freshMachines: true, "room.reset", cancellationToken);
    }

    /// <summary>Moves a course instance to the course's latest published version (unchanged machines stay).</summary>
    public async Task<ApplyResult> UpgradeAsync(RoomEntity room, CancellationToken cancellationToken)
    {
        if (room.CourseId is null)
        {
            return ApplyResult.InConflict($"Room '{room.Name}' is not a course instance; apply a new definition instead.");
        }

        var latest = await db.CourseVersions.Where(v => v.CourseId == room.CourseId).MaxAsync(v => (int?)v.Version, cancellationToken);
        if (latest is null || latest == room.CourseVersion)
        {
            return ApplyResult.InConflict($"Room '{room.Name}' already runs the latest published version ({room.CourseVersion}).");
        }

        using var holding = await gate.EnterAsync(cancellationToken);
        return await RebuildAsync(room, latest, freshMachines: false, "room.upgrade", cancellationToken);
    }

    private async Task<ApplyResult> RebuildAsync(RoomEntity room, int? version, bool freshMachines, string kind, CancellationToken cancellationToken)
    {
        if (room.DeletionRequested)
        {
            return ApplyResult.InConflict($"Room '{room.Name}' is being deleted.");
        }

        RoomDefinition? definition;
        if (room.CourseId is not null && version is not null)
        {
            var published = await db.CourseVersions.AsNoTracking().FirstAsync(v => v.CourseId == room.CourseId && v.Version == version, cancellationToken);
            definition = RoomDocument.Parse(published.DefinitionJson).Definition;
            room.CourseVersion = version;
        }
        else
        {
            definition = RoomDocument.Parse(room.DefinitionJson).Definition;
        }

        if (definition is null)
        {
            return ApplyResult.InConflict($"The stored definition of room '{room.Name}' cannot be read.");
        }

        if (freshMachines)
        {
            // New disks undo the student's work: results of the old ones would claim checks the room no longer passes.
            await db.CheckResults.Where(c => c.RoomId == room.Id).ExecuteDeleteAsync(cancellationToken);
        }

        var templates = await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, cancellationToken);
        var missing = definition.Machines.Select(m => m.Template).Where(t => !templates.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            return ApplyResult.InConflict($"Template(s) {string.Join(", ", missing)} of room '{room.Name}' no longer exist.");
        }

        var owner = await db.Users.AsNoTracking().FirstAsync(u => u.Id == room.OwnerId, cancellationToken);
        var course = room.CourseId is { } courseId ? await db.Courses.FindAsync([courseId], cancellationToken) : null;
        var violation = await quotas.CheckAsync(owner, course, room.Id, Demands(definition, room, templates, freshMachines), cancellationToken);
        if (violation is not null)
        {
            return ApplyResult.OverQuota(violation);
        }

        return await SaveAndOpenTaskAsync(room, Renamed(definition, room.Name), templates, created: false, freshMachines, kind, cancellationToken);
    }

    private async Task<ApplyResult> SaveAndOpenTaskAsync(
        RoomEntity room, RoomDefinition definition, Dictionary<string, TemplateEntity> templates, bool created, bool freshMachines, string kind, CancellationToken cancellationToken)
    {
        // Everything that can refuse the change is decided before the rows change: the request's context may be
        // shared (a course publishing instances), so a refusal must leave it as it was.
        // Every path that makes machines passes here (apply, a course instance, reset, upgrade): none is made from an
        // unusable template (issue 11), whichever way its definition arrived.
        var unusable = Unusable(templates.Values);
        var refused = definition.Machines
            .Select((m, i) => unusable.TryGetValue(m.Template, out var why)
                ? new ValidationError($"machines[{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}].template", $"template '{m.Template}' is unusable: its {why}")
                : null)
            .OfType<ValidationError>().ToList();
        if (refused.Count > 0)
        {
            Forget(room, created);
            return ApplyResult.Invalid(refused);
        }

        var kept = freshMachines ? [] : room.Machines.ToList();
        var (placement, placementErrors) = await PlaceAsync(room, kept, definition, templates, cancellationToken);
        if (placementErrors.Count > 0)
        {
            Forget(room, created);
            return ApplyResult.Invalid(placementErrors);
        }

        using var allocating = await vnis.LockAsync(cancellationToken);
        var usedVnis = (await db.Networks.AsNoTracking().Select(n => n.Vni).ToListAsync(cancellationToken)).ToHashSet();
        var newNetworks = definition.Networks.Count(n => room.Networks.All(existing => existing.Name != n.Name));
        if (vnis.Free(usedVnis) < newNetworks)
        {
            Forget(room, created);
            return ApplyResult.InConflict($"The VXLAN VNI pool ({vnis.First}-{vnis.Last}) is exhausted: delete rooms or widen SkillVL:Overlay:Vni*.");
        }

        var now = time.GetUtcNow();
        var before = created ? null : RoomDocument.Parse(room.DefinitionJson).Definition;
        var machinesBefore = room.Machines.Select(m => (m.Id, m.Name)).ToList();
        room.DefinitionJson = RoomDocument.ToJson(definition);
        room.Generation++;
        room.UpdatedAt = now;
        if (freshMachines)
        {
            // New machine ids: the reconciler's orphan sweep deletes the old VMs and disks, new ones are cloned.
            foreach (var machine in room.Machines.ToList())
            {
                room.Machines.Remove(machine);
                db.Machines.Remove(machine);
            }
        }

        if (new RoomRows(db, vnis).Converge(room, definition, templates, usedVnis, placement, before) is { } exhausted)
        {
            throw new InvalidOperationException(exhausted); // checked above; cannot happen
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created)
        {
            Forget(room, created);
            // Lost a race with another create of the same name (unique index)? Anything else is not a conflict.
            if (await db.Rooms.AsNoTracking().AnyAsync(r => r.OwnerId == room.OwnerId && r.Name == room.Name, cancellationToken))
            {
                return ApplyResult.InConflict($"A room named '{room.Name}' already exists.");
            }

            throw;
        }

        // A machine removed, rebuilt from a new template or reset got a new id: its VM goes, and so do its open consoles.
        // One rebuilt under the same name says so: its console pages connect again to the new machine (ADR 0046).
        var idsNow = room.Machines.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var namesNow = room.Machines.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var gone = machinesBefore.Where(m => !idsNow.Contains(m.Id)).ToList();
        consoles.EndForMachines(gone.Where(m => namesNow.Contains(m.Name)).Select(m => m.Id), Consoles.ConsoleSessions.MachineRebuilt);
        consoles.EndForMachines(gone.Where(m => !namesNow.Contains(m.Name)).Select(m => m.Id), Consoles.ConsoleSessions.MachineDeleted);
        var message = kind switch
        {
            "room.reset" => $"Room {room.Name} reset to its baseline (generation {room.Generation}): {room.Machines.Count} machine(s) rebuilt.",
            "room.upgrade" => $"Room {room.Name} upgraded to course version {room.CourseVersion} (generation {room.Generation}).",
            _ when created => $"Room {room.Name} created (generation {room.Generation}): {room.Machines.Count} machine(s), {room.Networks.Count} network(s).",
            _ => $"Room {room.Name} updated to generation {room.Generation}.",
        };
        var task = await tasks.CreateAsync(kind, $"room/{room.Name}", room, machineId: null, room.Generation, message, cancellationToken);
        trigger.Poke();
        return new ApplyResult(TaskService.ToInfo(task), [], null, created);
    }

    public async Task<TaskInfo> DeleteAsync(RoomEntity room, CancellationToken cancellationToken)
    {
        room.DeletionRequested = true;
        room.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        // Read, not taken from room.Machines: a course deletes its instances without loading their machines.
        consoles.EndForMachines(
            await db.Machines.AsNoTracking().Where(m => m.RoomId == room.Id).Select(m => m.Id).ToListAsync(cancellationToken), Consoles.ConsoleSessions.MachineDeleted);
        var task = await tasks.CreateAsync("room.delete", $"room/{room.Name}", room, null, null, $"Deleting room {room.Name}.", cancellationToken);
        trigger.Poke();
        return TaskService.ToInfo(task);
    }

    /// <summary>Sets every machine of the room to run or stop. Starting checks the running-VM quota.</summary>
    public async Task<ApplyResult> SetPowerAsync(RoomEntity room, bool run, CancellationToken cancellationToken)
    {
        if (room.DeletionRequested)
        {
            return ApplyResult.InConflict($"Room '{room.Name}' is being deleted.");
        }

        if (run && LifetimeEnded(room) is { } ended)
        {
            return ApplyResult.InConflict(ended);
        }

        using var holding = await gate.EnterAsync(cancellationToken);
        if (run && await CheckRunningAsync(room, room.Machines, cancellationToken) is { } violation)
        {
            return ApplyResult.OverQuota(violation);
        }

        if (run && await CheckStartAsync(room.Machines.Where(m => m.DesiredState != MachineStates.Running), cancellationToken) is { } full)
        {
            return ApplyResult.InConflict(full);
        }

        foreach (var machine in room.Machines)
        {
            machine.DesiredState = run ? MachineStates.Running : MachineStates.Stopped;
        }

        await db.SaveChangesAsync(cancellationToken);
        var verb = run ? "start" : "stop";
        var task = await tasks.CreateAsync($"room.{verb}", $"room/{room.Name}", room, null, null, $"Room {room.Name}: {verb} {room.Machines.Count} machine(s).", cancellationToken);
        trigger.Poke();
        return new ApplyResult(TaskService.ToInfo(task), [], null, false);
    }

    /// <summary>Why the room's machines may not start: its lifetime stopped them (ADR 0058); null while it lets them run.</summary>
    private string? LifetimeEnded(RoomEntity room) =>
        RoomDocument.Parse(room.DefinitionJson).Definition?.Lifetime?.StopsAt(room.CreatedAt) is { } stopAt && stopAt <= time.GetUtcNow()
            ? $"Room '{room.Name}' reached the end of its lifetime at {stopAt:u} (lifetime.stopAfter); apply it with a longer lifetime to run it again."
            : null;

    /// <summary>start | stop | restart one machine of a room. Null when the machine does not exist.</summary>
    public async Task<ApplyResult?> MachineActionAsync(RoomEntity room, string machineName, string action, CancellationToken cancellationToken)
    {
        var machine = room.DeletionRequested ? null : room.Machines.FirstOrDefault(m => m.Name == machineName);
        if (machine is null)
        {
            return null;
        }

        if (action is "start" or "restart" && LifetimeEnded(room) is { } ended)
        {
            return ApplyResult.InConflict(ended);
        }

        using var holding = await gate.EnterAsync(cancellationToken);
        if (action is "start" or "restart" && await CheckRunningAsync(room, [machine], cancellationToken) is { } violation)
        {
            return ApplyResult.OverQuota(violation);
        }

        if (action is "start" or "restart" && machine.DesiredState != MachineStates.Running && await CheckStartAsync([machine], cancellationToken) is { } full)
        {
            return ApplyResult.InConflict(full);
        }

        long? awaited = null;
        switch (action)
        {
            case "start":
                machine.DesiredState = MachineStates.Running;
                machine.ConsecutiveFailures = 0;
                machine.LastError = null;
                break;
            case "stop":
                machine.DesiredState = MachineStates.Stopped;
                break;
            case "restart":
                machine.DesiredState = MachineStates.Running;
                machine.RestartNonce++;
                machine.GuestReady = false;
                awaited = machine.RestartNonce;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "Expected start, stop or restart.");
        }

        await db.SaveChangesAsync(cancellationToken);
        var task = await tasks.CreateAsync(
            $"machine.{action}", $"machine/{room.Name}/{machineName}", room, machine.Id, awaited,
            $"Machine {room.Name}/{machineName}: {action}.", cancellationToken);
        trigger.Poke();
        return new ApplyResult(TaskService.ToInfo(task), [], null, false);
    }

    /// <summary>Why the nodes of <paramref name="starting"/> (stopped machines) cannot run them now, or null.</summary>
    private async Task<string?> CheckStartAsync(IEnumerable<MachineEntity> starting, CancellationToken cancellationToken)
    {
        var list = starting.ToList();
        if (list.Count == 0)
        {
            return null;
        }

        var nodesNow = await capacities.ForStartAsync(list.Select(m => m.Id).ToList(), cancellationToken);
        return Placement.CheckStart(
            list.Select((m, i) => new MachineRequest(i, m.Name, m.Cpus, m.MemoryBytes, null, m.NodeName)).ToList(), nodesNow);
    }

    /// <summary>The running-VM quota for setting <paramref name="starting"/> to run.</summary>
    private async Task<QuotaViolation?> CheckRunningAsync(RoomEntity room, IEnumerable<MachineEntity> starting, CancellationToken cancellationToken)
    {
        var startingIds = starting.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var disks = await quotas.DiskSizesAsync(cancellationToken);
        var proposed = room.Machines
            .Select(m => new MachineDemand(m.Cpus, m.MemoryBytes, disks.GetValueOrDefault(m.TemplateName), m.DesiredState == MachineStates.Running || startingIds.Contains(m.Id)))
            .ToList();
        var owner = await db.Users.AsNoTracking().FirstAsync(u => u.Id == room.OwnerId, cancellationToken);
        var course = room.CourseId is { } courseId ? await db.Courses.FindAsync([courseId], cancellationToken) : null;
        return await quotas.CheckAsync(owner, course, room.Id, proposed, cancellationToken);
    }

    /// <summary>What the definition's machines would ask of a quota (existing machines keep their power state).</summary>
    private static List<MachineDemand> Demands(RoomDefinition definition, RoomEntity? existing, Dictionary<string, TemplateEntity> templates, bool freshMachines)
    {
        var current = existing?.Machines.ToDictionary(m => m.Name, StringComparer.Ordinal) ?? [];
        return definition.Machines.Select(m =>
        {
            var template = templates[m.Template];
            var running = freshMachines || !current.TryGetValue(m.Name, out var had) || had.DesiredState == MachineStates.Running;
            return new MachineDemand(
                m.Cpus ?? template.DefaultCpus,
                m.Memory is null ? template.DefaultMemoryBytes : MemoryQuantity.ParseBytes(m.Memory),
                template.SizeBytes,
                running);
        }).ToList();
    }

    /// <summary>
    /// Where each machine of the definition goes: kept machines stay, new ones by explicit node or policy, against
    /// every node's memory minus what other rooms' machines already take there.
    /// </summary>
    private async Task<(Dictionary<string, string> Nodes, List<ValidationError> Errors)> PlaceAsync(
        RoomEntity room, List<MachineEntity> kept, RoomDefinition definition, Dictionary<string, TemplateEntity> templates, CancellationToken cancellationToken)
    {
        var nodesNow = await capacities.ForPlacementAsync(room.Id, cancellationToken);
        var current = kept.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var requests = definition.Machines.Select((m, i) =>
        {
            var template = templates[m.Template];
            var staying = current.TryGetValue(m.Name, out var existing) && existing.TemplateSha256 == template.Sha256 ? existing : null;
            return new MachineRequest(
                i,
                m.Name,
                m.Cpus ?? template.DefaultCpus,
                m.Memory is null ? template.DefaultMemoryBytes : MemoryQuantity.ParseBytes(m.Memory),
                m.Node,
                staying?.NodeName,
                m.NodeLabels,
                staying?.MemoryBytes);
        }).ToList();
        return Placement.Plan(requests, nodesNow, definition.Placement?.Policy ?? schedulingPolicy);
    }

    /// <summary>Stops tracking a room that was only to be created (a refused create leaves the context clean).</summary>
    private void Forget(RoomEntity room, bool created)
    {
        if (created)
        {
            db.Entry(room).State = EntityState.Detached;
        }
    }

    /// <summary>What a new instance of <paramref name="definition"/> asks of a quota (all machines running).</summary>
    public async Task<IReadOnlyList<MachineDemand>> DemandsOfAsync(RoomDefinition definition, CancellationToken cancellationToken)
    {
        var templates = await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, cancellationToken);
        return Demands(definition, null, templates, freshMachines: true);
    }

    public RoomValidationContext ValidationContextFor(IReadOnlyCollection<TemplateEntity> templates) => ValidationContext(templates);

    private static RoomDefinition Renamed(RoomDefinition definition, string name) =>
        definition.Metadata.Name == name ? definition : definition with { Metadata = definition.Metadata with { Name = name } };

    private RoomValidationContext ValidationContext(IReadOnlyCollection<TemplateEntity> templates)
    {
        var all = nodes.Known;
        return new RoomValidationContext(
            templates.Select(t => t.Name).ToHashSet(StringComparer.Ordinal),
            all.Count == 0 ? 0 : all.Max(n => n.Facts.Cpus),
            all.Count == 0 ? 0 : all.Max(n => n.Facts.MemoryBytes),
            Unusable(templates),
            options.Value.Limits.ToRoomLimits());
    }

    /// <summary>Templates whose current content failed the inspection, by name, with the reason (issue 11).</summary>
    private Dictionary<string, string> Unusable(IEnumerable<TemplateEntity> templates) =>
        templates.Where(t => templateHealth.Problem(t.Sha256) is not null)
            .ToDictionary(t => t.Name, t => templateHealth.Problem(t.Sha256)!, StringComparer.Ordinal);

    private RoomEntity NewRoom(string name, string ownerId, string? courseId, int? courseVersion)
    {
        var room = new RoomEntity
        {
            Id = ShortId.New(),
            Name = name,
            OwnerId = ownerId,
            CourseId = courseId,
            CourseVersion = courseVersion,
            DefinitionJson = "{}",
            CreatedAt = time.GetUtcNow(),
        };
        db.Rooms.Add(room);
        return room;
    }
}
