namespace SkillVL.Experiments;

/// <summary>
/// What the service workload's client (on a peer VM in the room) saw of the migrating guest's service: request latency
/// percentiles before, during and after the move, and the longest time without an answer. Null percentiles: no request
/// completed in that phase.
/// </summary>
/// <param name="LongestGapMs">The longest time between two successive answered requests (a request that failed or timed
/// out answers nothing), over the client's whole window: the pause a user of the service saw.</param>
/// <param name="Requests">Requests the client made.</param>
/// <param name="Errors">Requests that failed or timed out.</param>
public sealed record ServiceLatency(
    double? P50BeforeMs,
    double? P99BeforeMs,
    double? P50DuringMs,
    double? P99DuringMs,
    double? P50AfterMs,
    double? P99AfterMs,
    double? LongestGapMs,
    long Requests,
    long Errors);
