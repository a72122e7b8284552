using SkillVL.Core.Api.Migrations;

namespace SkillVL.Bench;

/// <summary>What <see cref="CheckoutBench"/> measured at one link rate. Bytes on the link are the client's port counters
/// (both directions), so they include TLS, compression and the control traffic of the step.</summary>
/// <param name="Mbit">The client link's rate.</param>
/// <param name="FirstCheckout">Check-out with the template not on the client.</param>
/// <param name="Sync">The sync of part A, and the guest's disk throughput without and with it.</param>
/// <param name="Checkin">Check-in after parts A (synced) and B (not synced) changed.</param>
/// <param name="PlainMoveOut">Setup of the full move back: the same VM moved server → client by a plain migration.</param>
/// <param name="FullMoveBack">Today's plain migration client → server of the same VM: the whole overlay.</param>
/// <param name="SecondCheckout">Check-out with the template cached on the client.</param>
/// <param name="Relay">Room network through the client's NAT (the relay of ADR 0019).</param>
/// <param name="Vxlan">Room network by VXLAN over the same emulated link (the client enrolled as a server-kind node, no NAT).</param>
public sealed record CheckoutMeasurement(
    int Mbit,
    CheckoutMeasurement.Move FirstCheckout,
    CheckoutMeasurement.SyncFigures Sync,
    CheckoutMeasurement.Move Checkin,
    CheckoutMeasurement.Move PlainMoveOut,
    CheckoutMeasurement.Move FullMoveBack,
    CheckoutMeasurement.Move SecondCheckout,
    CheckoutMeasurement.RoomNet Relay,
    CheckoutMeasurement.RoomNet Vxlan)
{
    /// <summary>Check-in's budget (issue 12): 1.2 × (bytes changed since the last sync + the RAM QEMU sent).</summary>
    public long CheckinBudgetBytes => (long)(1.2 * (UnsyncedChangedBytes + (Checkin.Migration.Metrics.RamBytes ?? 0)));

    /// <summary>Bytes the guest changed after the sync: part B, by construction of the guest's writes.</summary>
    public long UnsyncedChangedBytes { get; init; }

    /// <summary>Check-in's bytes on the link ÷ its budget's base (changed since sync + RAM): met when ≤ 1.2.</summary>
    public double CheckinOverChanges => (double)Checkin.LinkBytes / (UnsyncedChangedBytes + (Checkin.Migration.Metrics.RamBytes ?? 0));

    /// <summary>Full move back's bytes on the link ÷ check-in's: met when ≥ 5.</summary>
    public double FullMoveOverCheckin => (double)FullMoveBack.LinkBytes / Checkin.LinkBytes;

    /// <summary>Issue 12's first target: check-in ≤ 1.2 × (changed since the last sync + RAM).</summary>
    public bool CheckinTargetMet => CheckinOverChanges <= 1.2;

    /// <summary>Issue 12's second target: ≥ 5× fewer bytes than a full move back.</summary>
    public bool FullMoveTargetMet => FullMoveOverCheckin >= 5;

    /// <summary>One move (check-out, check-in or migration) as the Server reported it, and the link's bytes during it.</summary>
    /// <param name="Migration">The final migration record (state, metrics, error).</param>
    /// <param name="LinkBytes">Bytes through the client's link port during the move.</param>
    /// <param name="Attempts">Moves started until this one (the platform takes a move back when the guest does not
    /// answer on the target under TCG, ADR 0012; then it is retried).</param>
    /// <param name="OverlayMiB">What the VM's overlay held (MiB written by the guest so far).</param>
    public sealed record Move(MigrationInfo Migration, long LinkBytes, int Attempts, int OverlayMiB)
    {
        public bool Succeeded => Migration.State == MigrationStates.Succeeded;

        public double Seconds => (Migration.Metrics.TotalTimeMs ?? double.NaN) / 1000;
    }

    /// <summary>The sync of part A, and the guest's dd throughput (MiB/s, conv=fsync) with no sync running and with one.</summary>
    /// <param name="ChangedMiB">MiB the guest changed before the sync (part A plus the first throughput write).</param>
    /// <param name="BytesCopied">Disk bytes the sync copied into the retained copy (the Server's figure).</param>
    /// <param name="TunnelBytes">Bytes on the sync's tunnel (the Server's figure, compressed).</param>
    /// <param name="LinkBytes">Bytes through the client's link port during the sync.</param>
    /// <param name="Seconds">Time of the sync, as the Server reported it.</param>
    /// <param name="IdleMiBs">dd throughput with no sync running.</param>
    /// <param name="DuringSyncMiBs">dd throughput while the sync ran.</param>
    /// <param name="Overlapped">Whether the sync was still running when the second dd ended (else the figure is not "during").</param>
    public sealed record SyncFigures(int ChangedMiB, long BytesCopied, long TunnelBytes, long LinkBytes, double Seconds, double IdleMiBs, double DuringSyncMiBs, bool Overlapped);

    /// <summary>Room network between a VM on the server node and one on the client.</summary>
    /// <param name="RttMs">Average ping RTT (guest to guest).</param>
    /// <param name="Mbit">Goodput of an nc stream of corpus data, measured at the receiver (its clock).</param>
    /// <param name="LinkBytes">Bytes through the client's link port during the stream.</param>
    /// <param name="SentBytes">Bytes the stream carried.</param>
    /// <param name="Error">Why it was not measured (then the figures are NaN/0): the moves' rows are kept.</param>
    public sealed record RoomNet(double RttMs, double Mbit, long LinkBytes, long SentBytes, string? Error = null);
}
