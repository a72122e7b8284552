using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// A hand-written node end of a migration: the source mirrors for <see cref="MirrorPolls"/> polls, then reports
/// DiskReady; after StartRam it answers the <see cref="RamSamples"/> one per poll, then Completed. Any call can be
/// made to throw (<see cref="FailOn"/>), and <see cref="OnCall"/> lets a test act (cancel) at a given call.
/// </summary>
internal sealed class FakeMigrationDriver(string node, CallLog log) : IVmMigrationDriver
{
    private readonly object _lock = new();
    private OutgoingMigrationState _state = OutgoingMigrationState.None;
    private int _polls;

    public MigrationFeatures Features { get; set; } = MigrationFeatures.Qemu72;

    public int MirrorPolls { get; set; } = 2;

    public List<MigrationProgress> RamSamples { get; set; } = [Sample(1, remaining: 200 << 20), Sample(2, remaining: 1 << 20)];

    /// <summary>The RAM poll (0-based) at which the source reports Failed; null: never.</summary>
    public int? FailAtRamPoll { get; set; }

    public HashSet<string> FailOn { get; } = new(StringComparer.Ordinal);

    public Action<string>? OnCall { get; set; }

    public List<MigrationDecision> Decisions { get; } = [];

    public IncomingMigrationRequest? Incoming { get; private set; }

    public OutgoingMigrationRequest? Outgoing { get; private set; }

    public static readonly TimeSpan Downtime = TimeSpan.FromMilliseconds(42);

    public const long DiskBytes = 64L << 20;

    public const long RamBytes = 300L << 20;

    /// <summary>What the source's tunnel reports as bytes on the link (0: no tunnel).</summary>
    public long TunnelBytes { get; set; }

    public static MigrationProgress Sample(int iteration, long remaining, double dirtyMiB = 0, int throttle = 0) => new()
    {
        Iteration = iteration,
        MemoryBytes = 256L << 20,
        RemainingBytes = remaining,
        TransferredBytes = 256L << 20,
        TransferRate = DataRate.FromMebibytesPerSecond(100),
        DirtyRate = DataRate.FromMebibytesPerSecond(dirtyMiB),
        Elapsed = TimeSpan.FromSeconds(1),
        ThrottlePercent = throttle,
    };

    /// <summary>What <see cref="MeasureAsync"/> answers.</summary>
    public VmMigrationMeasurement Measurement { get; set; } = new(DataRate.FromMebibytesPerSecond(3), 48L << 20, TimeSpan.FromSeconds(1));

    public Task<VmMigrationMeasurement> MeasureAsync(string vmId, TimeSpan sample, CancellationToken cancellationToken)
    {
        Call("Measure", cancellationToken);
        return Task.FromResult(Measurement);
    }

    /// <summary>What <see cref="ProbeLinkAsync"/> answers.</summary>
    public LinkMeasurement ProbedLink { get; set; } = new(DataRate.FromMegabitsPerSecond(48), TimeSpan.FromMilliseconds(41));

    /// <summary>The probe endpoint this (target) node has open, by migration id.</summary>
    public HashSet<string> OpenProbes { get; } = new(StringComparer.Ordinal);

    /// <summary>The endpoint the source was asked to probe.</summary>
    public LinkProbeEndpoint? Probed { get; private set; }

    public Task<LinkProbeEndpoint> OpenLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken)
    {
        Call("OpenLinkProbe", cancellationToken);
        lock (_lock)
        {
            OpenProbes.Add(migrationId);
        }

        return Task.FromResult(new LinkProbeEndpoint(listenAddress, 49160, "token", listenAddress, TimeSpan.FromSeconds(60)));
    }

    public Task CloseLinkProbeAsync(string migrationId, CancellationToken cancellationToken)
    {
        Call("CloseLinkProbe", cancellationToken);
        lock (_lock)
        {
            OpenProbes.Remove(migrationId);
        }

        return Task.CompletedTask;
    }

    public Task<LinkProbeEndpoint> OpenReverseLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken)
    {
        Call("OpenReverseLinkProbe", cancellationToken);
        lock (_lock)
        {
            OpenProbes.Add(migrationId);
        }

        return Task.FromResult(new LinkProbeEndpoint(listenAddress, 49161, "token", listenAddress, TimeSpan.FromSeconds(60), Reverse: true));
    }

    /// <summary>The rendezvous this (source) node opened, if any.</summary>
    public OutgoingRendezvous? Rendezvous { get; private set; }

    public Task<OutgoingRendezvous> OpenOutgoingRendezvousAsync(string migrationId, string vmId, string listenAddress, CancellationToken cancellationToken)
    {
        Call("OpenOutgoingRendezvous", cancellationToken);
        Rendezvous = new OutgoingRendezvous(listenAddress, 49170, "rendezvous-token", listenAddress);
        return Task.FromResult(Rendezvous);
    }

    public Task<LinkMeasurement> ProbeLinkAsync(LinkProbeEndpoint target, CancellationToken cancellationToken)
    {
        Probed = target;
        Call("ProbeLink", cancellationToken);
        return Task.FromResult(ProbedLink);
    }

    public Task<IncomingMigration> PrepareIncomingAsync(IncomingMigrationRequest request, CancellationToken cancellationToken)
    {
        Incoming = request;
        Call("PrepareIncoming", cancellationToken);
        return Task.FromResult((request.DialSource is { } source
            ? new IncomingMigration(source.Host, 0, 0, "drive0", source.TlsHostname, DialsSource: true)
            : new IncomingMigration(request.ListenAddress, 49152, 49153, "drive0", null)) with { BaseBytesFetched = BaseBytesFetched });
    }

    /// <summary>What this end says it fetched before preparing (a node that provisions the template itself).</summary>
    public long BaseBytesFetched { get; set; }

    public Task CompleteIncomingAsync(string vmId, CancellationToken cancellationToken) => CallAsync("CompleteIncoming", cancellationToken);

    public Task AbortIncomingAsync(string vmId, CancellationToken cancellationToken) => CallAsync("AbortIncoming", cancellationToken);

    public Task StartDiskMirrorAsync(OutgoingMigrationRequest request, CancellationToken cancellationToken)
    {
        Outgoing = request;
        Call("StartDiskMirror", cancellationToken);
        lock (_lock)
        {
            (_state, _polls) = (OutgoingMigrationState.MirroringDisk, 0);
        }

        return Task.CompletedTask;
    }

    public Task StartRamMigrationAsync(string vmId, CancellationToken cancellationToken)
    {
        Call("StartRamMigration", cancellationToken);
        lock (_lock)
        {
            (_state, _polls) = (OutgoingMigrationState.MigratingRam, 0);
        }

        return Task.CompletedTask;
    }

    public Task<OutgoingMigrationStatus> GetOutgoingStatusAsync(string vmId, CancellationToken cancellationToken)
    {
        Call("GetOutgoingStatus", cancellationToken);
        lock (_lock)
        {
            var poll = _polls++;
            switch (_state)
            {
                case OutgoingMigrationState.MirroringDisk when poll >= MirrorPolls:
                    _state = OutgoingMigrationState.DiskReady;
                    break;
                case OutgoingMigrationState.MigratingRam when FailAtRamPoll == poll:
                    _state = OutgoingMigrationState.Failed;
                    return Task.FromResult(Status(null, "Unable to write to socket: Connection reset by peer"));
                case OutgoingMigrationState.MigratingRam when poll < RamSamples.Count:
                    return Task.FromResult(Status(RamSamples[poll], null));
                case OutgoingMigrationState.MigratingRam:
                    _state = OutgoingMigrationState.Completed;
                    break;
            }

            return Task.FromResult(Status(RamSamples.LastOrDefault(), null));
        }
    }

    public Task ApplyDecisionAsync(string vmId, MigrationDecision decision, CancellationToken cancellationToken)
    {
        Call("ApplyDecision", cancellationToken);
        Decisions.Add(decision);
        return Task.CompletedTask;
    }

    public Task CompleteOutgoingAsync(string vmId, CancellationToken cancellationToken) => CallAsync("CompleteOutgoing", cancellationToken);

    public Task CancelOutgoingAsync(string vmId, CancellationToken cancellationToken) => CallAsync("CancelOutgoing", cancellationToken);

    private OutgoingMigrationStatus Status(MigrationProgress? ram, string? error)
    {
        var mirroring = _state == OutgoingMigrationState.MirroringDisk;
        var completed = _state == OutgoingMigrationState.Completed;
        return new OutgoingMigrationStatus(
            _state,
            mirroring ? DiskBytes / 2 : DiskBytes,
            DiskBytes,
            _state is OutgoingMigrationState.MigratingRam or OutgoingMigrationState.Completed ? ram : null,
            completed ? Downtime : null,
            completed ? TimeSpan.FromMilliseconds(5) : null,
            completed ? RamBytes : 0,
            error,
            TunnelBytes);
    }

    private Task CallAsync(string name, CancellationToken cancellationToken)
    {
        Call(name, cancellationToken);
        return Task.CompletedTask;
    }

    private void Call(string name, CancellationToken cancellationToken)
    {
        log.Add($"{node}:{name}");
        OnCall?.Invoke(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (FailOn.Contains(name))
        {
            throw new DriverException($"{node}: {name} failed (scripted)", isTransient: false);
        }
    }
}
