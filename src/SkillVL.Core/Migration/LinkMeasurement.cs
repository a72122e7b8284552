namespace SkillVL.Core.Migration;

/// <summary>
/// What the platform measured on the path between the source and the target node, just before a migration.
/// </summary>
/// <param name="Bandwidth">Throughput the path carries (as the link emulator or a probe transfer reports it).</param>
/// <param name="RoundTripTime">Round-trip time between the two nodes' underlay addresses.</param>
/// <param name="LossRatio">Fraction of packets lost, 0 ≤ p &lt; 1 (0.01 = 1 %). Loss caps what one TCP stream
/// carries (Mathis et al. 1997; see <see cref="PreCopyModel.StreamCeiling"/>), which is why the policy opens more
/// multifd channels on a lossy link.</param>
public sealed record LinkMeasurement(DataRate Bandwidth, TimeSpan RoundTripTime, double LossRatio = 0);
