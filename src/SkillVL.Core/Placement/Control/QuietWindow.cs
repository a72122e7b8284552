namespace SkillVL.Core.Placement.Control;

/// <summary>
/// A time when nothing moves (an exam), as an explicit UTC interval [<see cref="From"/>, <see cref="To"/>): explicit
/// intervals rather than a cron expression, because an exam is a date a teacher knows, and an interval can be checked for
/// "never opens" without evaluating a schedule (ADR 0030).
/// </summary>
public sealed record QuietWindow(DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>Whether <paramref name="now"/> lies inside the window.</summary>
    public bool Contains(DateTimeOffset now) => now >= From && now < To;
}
