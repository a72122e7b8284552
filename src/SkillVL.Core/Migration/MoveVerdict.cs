namespace SkillVL.Core.Migration;

/// <summary>The answer of <see cref="MigrationPolicy.WorthMoving"/>.</summary>
/// <param name="Move">Whether to move.</param>
/// <param name="Reason">The deciding rule, with numbers: the first that failed, or a summary when all held.</param>
/// <param name="Parameters">The plan the move would use, with its <see cref="MigrationParameters.Prediction"/>.</param>
public sealed record MoveVerdict(bool Move, string Reason, MigrationParameters Parameters);
