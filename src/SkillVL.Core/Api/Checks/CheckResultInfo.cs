namespace SkillVL.Core.Api.Checks;

/// <summary>The result of one check of a room (ADR 0042), as its latest run left it.</summary>
/// <param name="Name">The check's name in room.yaml.</param>
/// <param name="Passed">True: the check passed.</param>
/// <param name="Detail">What was seen (exit status, an excerpt of the check's own output) or why it could not run.</param>
/// <param name="At">When the run that gave this result started.</param>
public sealed record CheckResultInfo(string Name, bool Passed, string Detail, DateTimeOffset At);
