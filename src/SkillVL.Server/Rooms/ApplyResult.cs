using SkillVL.Core.Api;
using SkillVL.Core.Rooms;
using SkillVL.Server.Quotas;

namespace SkillVL.Server.Rooms;

/// <summary>What a room change did: accepted with a task, rejected as invalid, a conflict, or over a quota.</summary>
public sealed record ApplyResult(TaskInfo? Task, IReadOnlyList<ValidationError> Errors, string? Conflict, bool Created, QuotaViolation? Quota = null)
{
    public static ApplyResult OverQuota(QuotaViolation violation) => new(null, [], null, false, violation);

    public static ApplyResult Invalid(IReadOnlyList<ValidationError> errors) => new(null, errors, null, false);

    public static ApplyResult Invalid(string field, string message) => Invalid([new ValidationError(field, message)]);

    public static ApplyResult InConflict(string message) => new(null, [], message, false);
}
