using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;
using SkillVL.Server.Scheduling;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Checks a migration request and creates it (or says why not, naming the field), lists and cancels migrations. Every
/// check runs before anything is written, so a refused request leaves the machine and the nodes untouched.
/// </summary>
public sealed class MigrationService(
    SkillVlDbContext db,
    AccessService access,
    NodeRegistry nodes,
    ActiveMigrations active,
    MigrationRunner runner,
    Quotas.CapacityGate gate,
    IOptions<SkillVlServerOptions> options,
    TimeProvider time)
{
    public const string Live = "live";
    public const string Offline = "offline";

    /// <summary>How long a request waits for a finished migration's hold to go (<see cref="ActiveMigrations.IsMigratingAfterFinishAsync"/>).</summary>
    private static readonly TimeSpan FinishGrace = TimeSpan.FromSeconds(5);

    /// <summary>Migrations the caller may see (<see cref="AccessService.VisibleMigrationsAsync"/>).</summary>
    public Task<IQueryable<MigrationEntity>> VisibleAsync(CurrentUser user, CancellationToken cancellationToken) =>
        access.VisibleMigrationsAsync(user, cancellationToken);

    public Task<CreateMigrationResult> CreateAsync(CurrentUser caller, CreateMigrationRequest request, CancellationToken cancellationToken) =>
        CreateAsync(caller, request, purpose: null, cancellationToken);

    /// <summary>A move, or with <paramref name="purpose"/> a check-out or check-in (ADR 0023): the same checks and row, plus
    /// <see cref="CheckoutRules"/>; a check-in's target is the node holding the retained copy, whatever the request says.</summary>
    public async Task<CreateMigrationResult> CreateAsync(CurrentUser caller, CreateMigrationRequest request, string? purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Machine))
        {
            return Invalid("machine", "name the machine to move: its id or room/machine");
        }

        // The object first: whoever cannot see the machine learns nothing, not even how the request was wrong.
        var (room, machine) = await FindMachineAsync(caller, request.Machine.Trim(), cancellationToken);
        if (room is null || machine is null)
        {
            return new(NotFound: $"Machine '{request.Machine}'");
        }

        var errors = new List<ValidationError>();
        var limits = ReadLimits(request, errors);
        var mode = request.Mode?.Trim().ToLowerInvariant() ?? Live;
        if (mode is not (Live or Offline))
        {
            errors.Add(new("mode", $"must be live or offline (got '{request.Mode}')"));
        }

        var diskTransfer = purpose == CheckoutRules.Checkin ? CheckoutRules.Incremental : request.DiskTransfer?.Trim().ToLowerInvariant() ?? "overlay";
        if (purpose == CheckoutRules.Checkin)
        {
            if (machine.CheckoutRetainedOn is null)
            {
                return new(Conflict: $"{room.Name}/{machine.Name} is not checked out: nothing to check in");
            }

            request = request with { To = machine.CheckoutRetainedOn };
        }

        if (diskTransfer is not ("overlay" or "full") && purpose != CheckoutRules.Checkin)
        {
            errors.Add(new("diskTransfer", $"must be overlay or full (got '{request.DiskTransfer}')"));
        }

        var tuning = request.Tuning?.Trim().ToLowerInvariant() ?? "policy";
        if (tuning is not ("policy" or "qemu-defaults"))
        {
            errors.Add(new("tuning", $"must be policy or qemu-defaults (got '{request.Tuning}')"));
        }

        var link = request.Link is null ? null : ReadLink(request.Link, errors);
        if (request.ProbeDowntimeMs is < 0)
        {
            errors.Add(new("probeDowntimeMs", $"must not be negative (got {request.ProbeDowntimeMs})"));
        }

        if (string.IsNullOrWhiteSpace(request.To))
        {
            errors.Add(new("to", "name the node to move the machine to (skillvl node list)"));
        }

        if (errors.Count > 0)
        {
            return new(Errors: errors);
        }

        // Who may target the node comes before the machine's state: a student learns nothing more by asking.
        var to = request.To!.Trim();
        // The room's owner decides which client node its machines may go to, whoever asks (issue 12).
        var pinTarget = await PinFacts.TargetAsync(db, room.OwnerId, room.CourseId, cancellationToken);
        if (NodePinning.Check(caller.IsAdmin, pinTarget, "to", to, PinFacts.Capacity(nodes, to)) is { Forbidden: true } forbidden)
        {
            return new(Forbidden: forbidden.Error);
        }

        var targetKind = nodes.Find(to)?.Facts.Kind;
        if (CheckoutRules.Check(purpose, $"{room.Name}/{machine.Name}", machine.CheckoutNode, to, targetKind) is { } checkoutRefusal)
        {
            return checkoutRefusal;
        }

        if (purpose == CheckoutRules.Checkout && CheckoutRules.ClockRefusal(to, nodes.Find(to)?.Facts.ClockOffsetSeconds) is { } clockRefusal)
        {
            return clockRefusal;
        }

        if (await active.IsMigratingAfterFinishAsync(machine.Id, (id, ct) => IsFinalAsync(db, id, ct), FinishGrace, cancellationToken)
            || await db.Migrations.AnyAsync(m => m.MachineId == machine.Id && (m.State == MigrationStates.Pending || m.State == MigrationStates.Running), cancellationToken))
        {
            return new(Conflict: $"{room.Name}/{machine.Name}: a migration of this machine is already running; wait for it or cancel it (skillvl migration list)");
        }

        // Internal snapshots live in the machine's disk file, and a move copies only what the guest sees (ADR 0051):
        // moving would silently lose them. A check-in is the way back from a check-out, which cannot have any.
        if (purpose != CheckoutRules.Checkin
            && await db.Snapshots.AsNoTracking().Where(s => s.MachineId == machine.Id).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken) is { Count: > 0 } snapshots)
        {
            return new(Conflict: $"{room.Name}/{machine.Name} has snapshots ({string.Join(", ", snapshots)}), which live in its disk and would be lost by a "
                + $"{purpose ?? "migration"}: delete them first (skillvl vm snapshot delete)");
        }

        if (purpose is not null && (machine.DesiredState != MachineStates.Running || machine.ObservedState != MachineStates.Running))
        {
            return Invalid("machine", $"{room.Name}/{machine.Name} is {machine.ObservedState}: a {purpose} moves a running machine live (start it first)");
        }

        if (mode == Live && (machine.DesiredState != MachineStates.Running || machine.ObservedState is MachineStates.Stopped or MachineStates.Stopping))
        {
            return Invalid("mode", $"{room.Name}/{machine.Name} is stopped: a live migration needs it running (start it first, or move it with mode offline)");
        }

        // Offline moves a stopped machine (as Proxmox's qm migrate without --online): its disk goes, it stays stopped.
        if (mode == Offline && machine.DesiredState != MachineStates.Stopped)
        {
            return Invalid("mode", $"{room.Name}/{machine.Name} is running: an offline migration moves a stopped machine (stop it first, or use mode live)");
        }

        var settled = mode == Offline ? MachineStates.Stopped : MachineStates.Running;
        if (machine.ObservedState != settled)
        {
            return new(Conflict: $"{room.Name}/{machine.Name} is {machine.ObservedState}: migrate it once it is {settled}");
        }

        // The target's free memory is read and the migration saved under the capacity gate, like a create or a start
        // (issue 11): a room applied onto the target at the same moment cannot take the memory this move counts on.
        using var capacity = await gate.EnterAsync(cancellationToken);
        var source = nodes.Find(machine.NodeName);
        var target = nodes.Find(to);
        var allocated = await db.Machines.Where(m => m.NodeName == to).SumAsync(m => m.MemoryBytes, cancellationToken)
            + await db.Migrations.Where(m => m.TargetNode == to && (m.State == MigrationStates.Pending || m.State == MigrationStates.Running))
                .Join(db.Machines, m => m.MachineId, x => x.Id, (_, x) => x.MemoryBytes).SumAsync(cancellationToken);
        if (MigrationTargetCheck.Check(to, machine.NodeName, machine.MemoryBytes, source, target,
                target is not null && nodes.IsReachable(target), nodes.IsDrained(to), allocated) is { } refused)
        {
            return new(Errors: [refused]);
        }

        var now = time.GetUtcNow();
        var migration = new MigrationEntity
        {
            Id = ShortId.New(),
            MachineId = machine.Id,
            MachineName = machine.Name,
            RoomId = room.Id,
            RoomName = room.Name,
            OwnerId = room.OwnerId,
            CourseId = room.CourseId,
            SourceNode = machine.NodeName,
            TargetNode = to,
            Mode = mode,
            State = MigrationStates.Pending,
            Phase = MigrationPhases.Pending,
            LimitsJson = MigrationJson.Write(limits),
            DiskTransfer = diskTransfer,
            Tuning = tuning,
            Purpose = purpose,
            Tls = options.Value.Migration.Tls,
            LinkJson = link is null ? null : MigrationJson.Write(link),
            LinkSource = link is null ? null : "request",
            ProbeDowntimeMs = request.ProbeDowntimeMs,
            RequestedBy = caller.Username,
            CreatedAt = now,
        };
        migration.Log.Add(new MigrationLogEntity
        {
            MigrationId = migration.Id,
            At = now,
            Message = $"{caller.Username} asked to {purpose ?? "move"} {room.Name}/{machine.Name} from {machine.NodeName} to {to} ({mode}, disk {diskTransfer}, tuning {tuning}).",
        });
        db.Migrations.Add(migration);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The filtered unique index: another request for this machine got in first.
            return new(Conflict: $"{room.Name}/{machine.Name}: a migration of this machine is already running; wait for it or cancel it (skillvl migration list)");
        }

        runner.Enqueue(migration.Id);
        return new(Created: migration);
    }

    /// <summary>Asks a running migration to stop; null when it is not the caller's to see, "" when accepted, else why not (409).</summary>
    public async Task<(MigrationEntity? Migration, string? Conflict)> CancelAsync(CurrentUser caller, string id, CancellationToken cancellationToken)
    {
        var visible = await VisibleAsync(caller, cancellationToken);
        if (await visible.FirstOrDefaultAsync(m => m.Id == id, cancellationToken) is not { } found)
        {
            return (null, null);
        }

        if (MigrationStates.IsFinal(found.State))
        {
            return (found, $"migration {id} already {found.State}");
        }

        if (found.Phase is MigrationPhases.SwitchOver or MigrationPhases.Finalize)
        {
            return (found, $"migration {id} is switching over: the VM is moving now and cannot be called back");
        }

        await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.CancelRequested, true), cancellationToken);
        db.MigrationLog.Add(new MigrationLogEntity { MigrationId = id, At = time.GetUtcNow(), Message = $"{caller.Username} asked to cancel." });
        await db.SaveChangesAsync(cancellationToken);
        runner.Cancel(id);
        return (found, null);
    }

    private async Task<(RoomEntity? Room, MachineEntity? Machine)> FindMachineAsync(CurrentUser caller, string reference, CancellationToken cancellationToken)
    {
        var rooms = db.ReadRooms();
        // ROOM/VM, or OWNER/ROOM/VM for a room of someone else the caller may see (ADR 0038).
        var parts = reference.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase).Split('/');
        if (parts is [.., var machinePart] && parts.Length is 2 or 3)
        {
            var room = await access.FindRoomAsync(caller, rooms, string.Join('/', parts[..^1]), cancellationToken);
            var machine = room is { DeletionRequested: false } ? room.Machines.FirstOrDefault(m => m.Name == machinePart) : null;
            return (room, machine);
        }

        var byId = await access.VisibleRooms(caller, rooms)
            .Where(r => !r.DeletionRequested && r.Machines.Any(m => m.Id == reference))
            .FirstOrDefaultAsync(cancellationToken);
        return (byId, byId?.Machines.FirstOrDefault(m => m.Id == reference));
    }

    private static MigrationLimits ReadLimits(CreateMigrationRequest request, List<ValidationError> errors)
    {
        var limits = new MigrationLimits { AllowPostCopy = request.AllowPostCopy ?? false };
        if (request.MaxBandwidth is not null)
        {
            limits = MigrationQuantities.TryParseRate(request.MaxBandwidth, out var cap)
                ? limits with { MaxBandwidth = cap }
                : Add(limits, errors, "maxBandwidth", $"'{request.MaxBandwidth}' is not a rate; {MigrationQuantities.RateExpected}");
        }

        if (request.DowntimeLimit is not null)
        {
            limits = MigrationQuantities.TryParseDuration(request.DowntimeLimit, out var downtime)
                ? limits with { DowntimeLimit = downtime }
                : Add(limits, errors, "downtimeLimit", $"'{request.DowntimeLimit}' is not a duration; {MigrationQuantities.DurationExpected}");
        }

        if (request.MaxDowntime is not null)
        {
            limits = MigrationQuantities.TryParseDuration(request.MaxDowntime, out var max)
                ? limits with { MaxDowntime = max }
                : Add(limits, errors, "maxDowntime", $"'{request.MaxDowntime}' is not a duration; {MigrationQuantities.DurationExpected}");
        }

        if (request.MaxTotalTime is not null)
        {
            limits = MigrationQuantities.TryParseDuration(request.MaxTotalTime, out var total)
                ? limits with { MaxTotalTime = total }
                : Add(limits, errors, "maxTotalTime", $"'{request.MaxTotalTime}' is not a duration; {MigrationQuantities.DurationExpected}");
        }

        // Only what parsed is judged; a field that did not parse has its error already.
        var judged = MigrationRequestValidator.ValidateLimits(limits).Where(e => !errors.Any(x => x.Field == e.Field));
        errors.AddRange(judged);
        return limits;
    }

    private static LinkMeasurement? ReadLink(MigrationLinkOverride link, List<ValidationError> errors)
    {
        var before = errors.Count;
        if (!MigrationQuantities.TryParseRate(link.Bandwidth, out var bandwidth))
        {
            errors.Add(new("link.bandwidth", $"'{link.Bandwidth}' is not a rate; {MigrationQuantities.RateExpected}"));
        }

        if (!MigrationQuantities.TryParseDuration(link.Rtt, out var rtt))
        {
            errors.Add(new("link.rtt", $"'{link.Rtt}' is not a duration; {MigrationQuantities.DurationExpected}"));
        }

        if (errors.Count > before)
        {
            return null;
        }

        var measured = new LinkMeasurement(bandwidth, rtt, link.Loss ?? 0);
        errors.AddRange(MigrationRequestValidator.ValidateLink(measured)
            .Select(e => e.Field switch
            {
                "link.roundTripTime" => e with { Field = "link.rtt" },
                "link.lossRatio" => e with { Field = "link.loss" },
                _ => e,
            }));
        return measured;
    }

    private static MigrationLimits Add(MigrationLimits limits, List<ValidationError> errors, string field, string message)
    {
        errors.Add(new(field, message));
        return limits;
    }

    private static async Task<bool> IsFinalAsync(SkillVlDbContext db, string migrationId, CancellationToken cancellationToken) =>
        await db.Migrations.AsNoTracking().Where(m => m.Id == migrationId).Select(m => m.State).FirstOrDefaultAsync(cancellationToken) is { } state
        && MigrationStates.IsFinal(state);

    private static CreateMigrationResult Invalid(string field, string message) => new(Errors: [new ValidationError(field, message)]);
}
