using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Addressing;
using SkillVL.Core.Api;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Quantities;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;
using SkillVL.Server.Reconciliation;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Rooms;

/// <summary>
/// Writes desired state for rooms: validates a definition, turns it into rows (keeping ids of what did not
/// change, so an update converges instead of rebuilding), and opens a task the reconciler completes.
/// </summary>
public sealed class RoomService(
    SkillVlDbContext db,
    TaskService tasks,
    NodeRegistry nodes,
    ReconcileTrigger trigger,
    TimeProvider time)
{
    public const int DefaultMtu = 1450;

    /// <summary>Creates (or, unless <paramref name="createOnly"/>, updates) the room the document describes.</summary>
    /// <param name="nameInUrl">The name from the URL (PUT), or null (POST).</param>
    public async Task<ApplyResult> ApplyAsync(string? nameInUrl, string document, bool createOnly, CancellationToken cancellationToken)
    {
        var parsed = RoomDocument.Parse(document);
        if (!parsed.IsValid || parsed.Definition is null)
        {
            return ApplyResult.Invalid(parsed.Errors);
        }

        var definition = parsed.Definition;
        if (nameInUrl is not null && !string.Equals(nameInUrl, definition.Metadata.Name, StringComparison.Ordinal))
        {
            return ApplyResult.Invalid(
                "metadata.name",
                $"'{definition.Metadata.Name}' does not match the room name in the URL ('{nameInUrl}').");
        }

        var templates = await db.Templates.AsNoTracking().ToDictionaryAsync(t => t.Name, cancellationToken);
        var errors = RoomValidator.Validate(definition, ValidationContext(templates.Keys));
        if (errors.Count > 0)
        {
            return ApplyResult.Invalid(errors);
        }

        var room = await db.Rooms
            .Include(r => r.Networks)
            .Include(r => r.Machines).ThenInclude(m => m.Nics)
            .FirstOrDefaultAsync(r => r.Name == definition.Metadata.Name, cancellationToken);
        if (room is not null && createOnly)
        {
            return ApplyResult.InConflict($"A room named '{definition.Metadata.Name}' already exists.");
        }

        if (room is { DeletionRequested: true })
        {
            return ApplyResult.InConflict($"Room '{definition.Metadata.Name}' is being deleted; apply it again when that task has finished.");
        }

        var now = time.GetUtcNow();
        var created = room is null;
        room ??= NewRoom(definition.Metadata.Name, now);
        room.DefinitionJson = RoomDocument.ToJson(definition);
        room.Generation++;
        room.UpdatedAt = now;
        ConvergeRows(room, definition, templates);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created)
        {
            // Lost a race with another create of the same name (unique index).
            return ApplyResult.InConflict($"A room named '{definition.Metadata.Name}' already exists.");
        }

        var task = await tasks.CreateAsync(
            "room.apply",
            $"room/{room.Name}",
            room.Id,
            machineId: null,
            room.Generation,
            created
                ? $"Room {room.Name} created (generation {room.Generation}): {room.Machines.Count} machine(s), {room.Networks.Count} network(s)."
                : $"Room {room.Name} updated to generation {room.Generation}.",
            cancellationToken);
        trigger.Poke();
        return new ApplyResult(TaskService.ToInfo(task), [], null, created);
    }

    public async Task<TaskInfo?> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var room = await db.Rooms.FirstOrDefaultAsync(r => r.Name == name, cancellationToken);
        if (room is null)
        {
            return null;
        }

        room.DeletionRequested = true;
        room.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        var task = await tasks.CreateAsync("room.delete", $"room/{name}", room.Id, null, null, $"Deleting room {name}.", cancellationToken);
        trigger.Poke();
        return TaskService.ToInfo(task);
    }

    /// <summary>Sets every machine of the room to run or stop.</summary>
    public async Task<TaskInfo?> SetPowerAsync(string name, bool run, CancellationToken cancellationToken)
    {
        var room = await db.Rooms.Include(r => r.Machines)
            .FirstOrDefaultAsync(r => r.Name == name && !r.DeletionRequested, cancellationToken);
        if (room is null)
        {
            return null;
        }

        foreach (var machine in room.Machines)
        {
            machine.DesiredState = run ? MachineStates.Running : MachineStates.Stopped;
        }

        await db.SaveChangesAsync(cancellationToken);
        var verb = run ? "start" : "stop";
        var task = await tasks.CreateAsync($"room.{verb}", $"room/{name}", room.Id, null, null, $"Room {name}: {verb} {room.Machines.Count} machine(s).", cancellationToken);
        trigger.Poke();
        return TaskService.ToInfo(task);
    }

    /// <summary>start | stop | restart one machine. Null when room or machine does not exist.</summary>
    public async Task<TaskInfo?> MachineActionAsync(string roomName, string machineName, string action, CancellationToken cancellationToken)
    {
        var machine = await FindMachineAsync(roomName, machineName, cancellationToken);
        if (machine is null)
        {
            return null;
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
            $"machine.{action}", $"machine/{roomName}/{machineName}", machine.RoomId, machine.Id, awaited,
            $"Machine {roomName}/{machineName}: {action}.", cancellationToken);
        trigger.Poke();
        return TaskService.ToInfo(task);
    }

    public async Task<MachineEntity?> FindMachineAsync(string roomName, string machineName, CancellationToken cancellationToken)
    {
        var room = await db.Rooms.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Name == roomName && !r.DeletionRequested, cancellationToken);
        if (room is null)
        {
            return null;
        }

        return await db.Machines.Include(m => m.Nics)
            .FirstOrDefaultAsync(m => m.RoomId == room.Id && m.Name == machineName, cancellationToken);
    }

    private RoomValidationContext ValidationContext(IEnumerable<string> templateNames)
    {
        var all = nodes.All;
        return new RoomValidationContext(
            templateNames.ToHashSet(StringComparer.Ordinal),
            all.Count == 0 ? 0 : all.Max(n => n.Facts.Cpus),
            all.Count == 0 ? 0 : all.Max(n => n.Facts.MemoryBytes));
    }

    private RoomEntity NewRoom(string name, DateTimeOffset now)
    {
        var room = new RoomEntity { Id = ShortId.New(), Name = name, DefinitionJson = "{}", CreatedAt = now };
        db.Rooms.Add(room);
        return room;
    }

    /// <summary>
    /// Makes the room's rows match the definition. Unchanged networks, machines and NICs keep their ids
    /// (so bridges, disks, taps and MACs stay); what left the definition is removed from the database and
    /// the reconciler's orphan sweep removes it from the node.
    /// </summary>
    private void ConvergeRows(RoomEntity room, RoomDefinition definition, Dictionary<string, TemplateEntity> templates)
    {
        var networks = room.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var removed in networks.Values.Where(n => definition.Networks.All(d => d.Name != n.Name)).ToList())
        {
            room.Networks.Remove(removed);
            db.Networks.Remove(removed);
            networks.Remove(removed.Name);
        }

        foreach (var wanted in definition.Networks)
        {
            if (!networks.TryGetValue(wanted.Name, out var network))
            {
                network = new NetworkEntity { Id = ShortId.New(), RoomId = room.Id, Name = wanted.Name, Cidr = wanted.Cidr };
                room.Networks.Add(network);
                networks[wanted.Name] = network;
            }

            network.Cidr = Ipv4Cidr.Parse(wanted.Cidr).ToString();
            network.Mtu = wanted.Mtu ?? DefaultMtu;
        }

        var machines = room.Machines.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var machine in machines.Values.ToList())
        {
            var wanted = definition.Machines.FirstOrDefault(d => d.Name == machine.Name);
            // A machine whose template changed gets a new identity: its disk must be cloned from the new base.
            if (wanted is null || templates[wanted.Template].Sha256 != machine.TemplateSha256)
            {
                room.Machines.Remove(machine);
                db.Machines.Remove(machine);
                machines.Remove(machine.Name);
            }
        }

        foreach (var wanted in definition.Machines)
        {
            var template = templates[wanted.Template];
            var cpus = wanted.Cpus ?? template.DefaultCpus;
            var memory = wanted.Memory is null ? template.DefaultMemoryBytes : MemoryQuantity.ParseBytes(wanted.Memory);
            if (!machines.TryGetValue(wanted.Name, out var machine))
            {
                machine = new MachineEntity
                {
                    Id = ShortId.New(),
                    RoomId = room.Id,
                    Name = wanted.Name,
                    TemplateName = template.Name,
                    TemplateSha256 = template.Sha256,
                    NodeName = nodes.PlacementFor(cpus, memory),
                    DesiredState = MachineStates.Running,
                };
                room.Machines.Add(machine);
            }

            machine.Cpus = cpus;
            machine.MemoryBytes = memory;
            ConvergeNics(machine, wanted, networks);
        }
    }

    private void ConvergeNics(MachineEntity machine, MachineDefinition wanted, Dictionary<string, NetworkEntity> networks)
    {
        var addressesChanged = false;
        var kept = new List<NicEntity>();
        for (var index = 0; index < wanted.Nics.Count; index++)
        {
            var nicDef = wanted.Nics[index];
            var networkId = networks[nicDef.Network].Id;
            var nic = machine.Nics.FirstOrDefault(n => n.Index == index && n.NetworkId == networkId);
            if (nic is null)
            {
                var id = ShortId.New();
                nic = new NicEntity { Id = id, MachineId = machine.Id, NetworkId = networkId, Index = index, MacAddress = MachineSpecs.MacFor(id) };
                machine.Nics.Add(nic);
                addressesChanged = true;
            }

            addressesChanged |= nic.Ip != nicDef.Ip;
            nic.Ip = nicDef.Ip;
            kept.Add(nic);
        }

        foreach (var stale in machine.Nics.Except(kept).ToList())
        {
            machine.Nics.Remove(stale);
            db.Nics.Remove(stale);
            addressesChanged = true;
        }

        if (addressesChanged)
        {
            // The reconciler applies addresses through the guest agent; make it do so again.
            machine.GuestReady = false;
        }
    }
}
