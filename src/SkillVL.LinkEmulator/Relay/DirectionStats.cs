using SkillVL.LinkEmulator.Shaping;

namespace SkillVL.LinkEmulator.Relay;

/// <summary>
/// A snapshot of one direction (cumulative since start): what arrived, what was dropped and why, what was
/// delivered, how much waits in the queue now, and how late deliveries were.
/// </summary>
public sealed record DirectionStats(
    string From,
    string To,
    LinkDirectionCounts Offered,
    long FramesDelivered,
    long BytesDelivered,
    long FramesDroppedBySink,
    long QueuedBytes,
    long FramesInFlight,
    long BuffersAllocated,
    LatenessSummary Lateness);
