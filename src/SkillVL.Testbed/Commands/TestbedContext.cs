namespace SkillVL.Testbed.Commands;

/// <summary>Where a command writes and which clock it uses (tests pass their own writers).</summary>
public sealed record TestbedContext(TextWriter Out, TextWriter Error, TimeProvider Time);
