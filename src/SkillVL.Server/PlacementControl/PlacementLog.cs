namespace SkillVL.Server.PlacementControl;

/// <summary>Log messages of the placement controller; event ids 3800–3819.</summary>
public static partial class PlacementLog
{
    [LoggerMessage(3800, LogLevel.Information, "Placement: moving {Machine} from {From} to {To} (migration {Migration}): {Reason}")]
    public static partial void Moving(ILogger logger, string machine, string from, string to, string migration, string reason);

    [LoggerMessage(3801, LogLevel.Warning, "Placement: the migration engine refused to move {Machine} from {From} to {To}: {Refusal}")]
    public static partial void Refused(ILogger logger, string machine, string from, string to, string refusal);

    [LoggerMessage(3802, LogLevel.Warning, "Placement: an evaluation failed; the next one comes at the interval")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception);

    [LoggerMessage(3803, LogLevel.Information, "Placement: client node {Node} leaves at {At:u} (announced by {Caller}); its machines go back to a server")]
    public static partial void DepartureAnnounced(ILogger logger, string node, DateTimeOffset at, string caller);
}
