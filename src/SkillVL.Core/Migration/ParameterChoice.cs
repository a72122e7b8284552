namespace SkillVL.Core.Migration;

/// <summary>Why the policy chose a parameter, in words for the UI and the migration's log.</summary>
/// <param name="Parameter">The parameter, as <see cref="MigrationParameters"/> names it (camelCase, e.g. "multifdChannels").</param>
/// <param name="Reason">The value and why, e.g. "6: one TCP stream carries at most 1.8 Mbit/s at 80 ms and 1 % loss".</param>
public sealed record ParameterChoice(string Parameter, string Reason);
