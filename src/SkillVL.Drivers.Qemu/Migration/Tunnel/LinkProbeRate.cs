namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The link probe's bandwidth from its acknowledgements: every byte the target acknowledged, over the time from the
/// first byte sent to the last acknowledgement, less one round trip (the first byte's way there and the last
/// acknowledgement's way back). Over the whole transfer, the bytes that sat in a buffer at the start or the end cannot
/// inflate the figure: the first acknowledgement comes with the buffers empty, and the last after the drain.
/// </summary>
/// <remarks>
/// The rate used to be taken over the second half of the acknowledgements (to leave out TCP's slow start). That figure
/// was too high when the target's reader stalled for a moment (on 2 cores under TCG load): the link kept delivering into
/// the socket buffer, and the acknowledgements after the stall counted those bytes in a window that began after they
/// had crossed — 71 Mbit/s on a 50 Mbit/s link in CI. The link emulator's catch-up after a late wake-up is the same
/// effect on the link's side. Slow start is now in the figure: at 40 ms RTT it costs a few percent, and a migration's
/// streams pay it too.
/// </remarks>
internal static class LinkProbeRate
{
    /// <summary>Bytes per second, or null when nothing was acknowledged.</summary>
    /// <param name="elapsedToLastAck">From the first byte sent to the last acknowledgement received.</param>
    /// <param name="ackedBytes">The byte count in the last acknowledgement.</param>
    /// <param name="roundTrip">The link's RTT measured before the transfer.</param>
    public static double? BytesPerSecond(TimeSpan elapsedToLastAck, long ackedBytes, TimeSpan roundTrip)
    {
        if (ackedBytes <= 0 || elapsedToLastAck <= TimeSpan.Zero)
        {
            return null;
        }

        // The RTT comes off the elapsed time, but never more than half of it: a probe whose transfer was shorter than
        // two round trips (a tiny transfer on a fast link) would otherwise divide by almost nothing.
        var transfer = elapsedToLastAck - TimeSpan.FromTicks(Math.Min(roundTrip.Ticks, elapsedToLastAck.Ticks / 2));
        return ackedBytes / transfer.TotalSeconds;
    }
}
