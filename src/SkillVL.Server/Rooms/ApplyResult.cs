using SkillVL.Core.Api;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Rooms;

/// <summary>What an apply/create did: accepted with a task, rejected as invalid, or a conflict.</summary>
public sealed record ApplyResult(TaskInfo? Task, IReadOnlyList<ValidationError> Errors, string? Conflict, bool Created)
{
    public static ApplyResult Invalid(IReadOnlyList<ValidationError> errors) => new(null, errors, null, false);

    public static ApplyResult Invalid(string field, string message) => Invalid([new ValidationError(field, message)]);

    public static ApplyResult InConflict(string message) => new(null, [], message, false);
}
