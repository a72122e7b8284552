namespace SkillVL.Experiments;

/// <summary>One request of the service workload's client.</summary>
/// <param name="StartSeconds">When it was sent, in seconds from the move's start (negative: before the move).</param>
/// <param name="LatencyMs">From sending it to its answer (or to its failure).</param>
/// <param name="Ok">Answered; false when it failed or timed out.</param>
public sealed record ServiceSample(double StartSeconds, double LatencyMs, bool Ok)
{
    public double EndSeconds => StartSeconds + (LatencyMs / 1000);
}
