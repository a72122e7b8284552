using SkillVL.Core.Rooms;
using SkillVL.Server.Quotas;

namespace SkillVL.Server.Courses;

/// <summary>A course operation's answer: a value, or why not (invalid, conflict, over quota).</summary>
public sealed record CourseResult<T>(T? Value, IReadOnlyList<ValidationError> Errors, string? Conflict = null, QuotaViolation? Quota = null);

/// <summary>Factories for <see cref="CourseResult{T}"/>.</summary>
public static class CourseResults
{
    public static CourseResult<T> Ok<T>(T value) => new(value, []);

    public static CourseResult<T> Invalid<T>(string field, string message) => new(default, [new ValidationError(field, message)]);

    public static CourseResult<T> Invalid<T>(IReadOnlyList<ValidationError> errors) => new(default, errors);

    public static CourseResult<T> InConflict<T>(string message) => new(default, [], message);

    public static CourseResult<T> OverQuota<T>(QuotaViolation violation) => new(default, [], null, violation);
}
