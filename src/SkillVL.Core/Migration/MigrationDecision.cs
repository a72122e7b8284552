namespace SkillVL.Core.Migration;

/// <summary>One answer of <see cref="MigrationPolicy.Decide"/>.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Reason">Why, with the observed numbers, for the migration's log and the UI.</param>
/// <param name="DowntimeLimit">The new <c>downtime-limit</c> for <see cref="MigrationAction.RaiseDowntimeLimit"/>; null otherwise.</param>
/// <param name="Risk">What can go wrong by following it: set for <see cref="MigrationAction.SwitchToPostCopy"/>.</param>
/// <param name="AtPass">The pass it was decided at (<see cref="MigrationProgress.Iteration"/>): for
/// <see cref="MigrationAction.Throttle"/>, where QEMU's grace starts again.</param>
public sealed record MigrationDecision(MigrationAction Action, string Reason, TimeSpan? DowntimeLimit = null, string? Risk = null, int? AtPass = null)
{
    /// <summary>The parameters in force after the engine carried this decision out (what the next
    /// <see cref="MigrationPolicy.Decide"/> call gets).</summary>
    public MigrationParameters ApplyTo(MigrationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Action switch
        {
            MigrationAction.RaiseDowntimeLimit when DowntimeLimit is { } limit => parameters with { DowntimeLimit = limit },
            MigrationAction.Throttle => parameters with
            {
                ThrottleTriggerPercent = MigrationPolicy.ThrottleTriggerPercentDefault,
                ThrottleTriggerLoweredAtPass = AtPass,
            },
            _ => parameters,
        };
    }
}
