using SkillVL.Core.Migration;

namespace SkillVL.Core.Placement;

/// <summary>The advisor's thresholds (ADR 0027); each default is justified next to it.</summary>
public sealed record PlacementCriteria
{
    /// <summary>When a move pays at all: the link, the time, the pause, and how much load it must relieve
    /// (<see cref="MigrationPolicy.WorthMoving"/>, ADR 0009).</summary>
    public MoveCriteria Move { get; init; } = new();

    /// <summary>What the nodes' QEMU can do, for the migration plan whose cost is predicted.</summary>
    public MigrationFeatures Features { get; init; } = MigrationFeatures.Qemu72;

    /// <summary>
    /// A node this busy (CPU, 0–1) is hot: its machines are worth moving off, and it takes none. 0.8 is where queueing
    /// delay grows fast (an M/M/1 queue waits 4× the service time at 80 % use, 9× at 90 %) — our choice.
    /// </summary>
    public double HotCpu { get; init; } = 0.8;

    /// <summary>
    /// The least console round trip a move must save to be suggested for it: 50 ms. Typing echo is perceived as
    /// instantaneous below about 100 ms (Card, Robertson and Mackinlay 1991; Nielsen's response-time limits), so
    /// halving a round trip near that is felt, a few milliseconds are not — our choice.
    /// </summary>
    public TimeSpan MinConsoleGain { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The console round trip on the student's own computer (the local console, ADR 0024): 1 ms.</summary>
    public TimeSpan LocalConsoleRoundTrip { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// A move may take at most this share of the time the machine is still needed: 0.1, so at least 90 % of what is
    /// left runs with the gain; a 45 s move needs 7.5 min left — our choice.
    /// </summary>
    public double MaxShareOfSessionLeft { get; init; } = 0.1;
}
