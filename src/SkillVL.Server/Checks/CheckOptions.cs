namespace SkillVL.Server.Checks;

/// <summary>Settings of exercise checks (section "SkillVL:Checks", ADR 0042): how long they may take and how often they run.</summary>
public sealed class CheckOptions
{
    /// <summary>
    /// How long one check's command may run in its guest before the guest agent kills it (the check fails, "did not
    /// finish"). Default 15 s: a check is a test or a few pings, not a job; 1 s to 5 min.
    /// </summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long one run of a room's checks (all at once, in parallel) may take in all; a check still going then fails.
    /// Default 60 s; at least <see cref="CheckTimeout"/>, at most 10 min.
    /// </summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The least time between the end of one run of a room's checks and the start of the next (a 429 before it): each
    /// run executes a command per check in the guests, so a button held down must not become a load on the nodes.
    /// Default 5 s; 0 (tests) to 1 h.
    /// </summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first setting that is not valid, or null (checked at start).</summary>
    public string? Invalid()
    {
        if (CheckTimeout < TimeSpan.FromSeconds(1) || CheckTimeout > TimeSpan.FromMinutes(5))
        {
            return nameof(CheckTimeout);
        }

        if (RunTimeout < CheckTimeout || RunTimeout > TimeSpan.FromMinutes(10))
        {
            return nameof(RunTimeout);
        }

        return MinInterval < TimeSpan.Zero || MinInterval > TimeSpan.FromHours(1) ? nameof(MinInterval) : null;
    }
}
