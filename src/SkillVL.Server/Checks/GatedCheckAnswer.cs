using System.Globalization;
using SkillVL.Core.Api.Checks;

namespace SkillVL.Server.Checks;

/// <summary>
/// A gated run's answer: the results, or how long to wait (<see cref="TimeSpan.Zero"/>: a run of the room is going now).
/// </summary>
public sealed record GatedCheckAnswer(IReadOnlyList<CheckResultInfo>? Results, TimeSpan? Wait)
{
    /// <summary>Whole seconds to wait (for Retry-After), rounded up.</summary>
    public int WaitSeconds => Wait is { } wait ? (int)Math.Ceiling(wait.TotalSeconds) : 0;

    /// <summary>Why the run did not start, naming the room; null when it ran.</summary>
    public string? Refusal(string roomName) => Wait switch
    {
        null => null,
        { } wait when wait == TimeSpan.Zero => $"The checks of room '{roomName}' are running now; their results come with that run.",
        _ => $"The checks of room '{roomName}' ran a moment ago; run them again in {WaitSeconds.ToString(CultureInfo.InvariantCulture)} s.",
    };
}
