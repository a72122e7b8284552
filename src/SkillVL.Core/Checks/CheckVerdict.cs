namespace SkillVL.Core.Checks;

/// <summary>The outcome of one check: whether it passed, and why in words a student understands.</summary>
/// <param name="Passed">True: the check passed.</param>
/// <param name="Detail">What was seen: exit status, an excerpt of the check's own output, or why it could not run;
/// at most <see cref="CheckJudge.MaxDetailLength"/> characters.</param>
public sealed record CheckVerdict(bool Passed, string Detail);
