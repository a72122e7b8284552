using SkillVL.Core.Rooms;
using SkillVL.Server.Quotas;
using SkillVL.Server.Rooms;

namespace SkillVL.Server.Apis;

/// <summary>ProblemDetails answers shared by the resource APIs.</summary>
public static class ApiResults
{
    public static IResult Invalid(IReadOnlyList<ValidationError> errors, string title) =>
        Results.ValidationProblem(
            errors.GroupBy(e => e.Field.Length == 0 ? "document" : e.Field)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
            title: title);

    public static IResult NotFound(string what) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} does not exist.");

    public static IResult Conflict(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>202 with the task that follows the change, and where to poll it.</summary>
    public static IResult Accepted(Core.Api.TaskInfo task) => Results.Accepted(Core.Api.ApiPaths.Task(task.Id), task);

    /// <summary>202 with the migration (itself the long operation's record), and where to poll it.</summary>
    public static IResult Accepted(Core.Api.Migrations.MigrationInfo migration) =>
        Results.Accepted(Core.Api.ApiPaths.Migration(migration.Id), migration);

    public static IResult Forbidden(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static IResult Invalid(string field, string message, string title) => Invalid([new ValidationError(field, message)], title);

    /// <summary>422 naming the quota, its limit and the excess.</summary>
    public static IResult QuotaExceeded(QuotaViolation violation) =>
        Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Quota exceeded",
            detail: violation.Message,
            extensions: new Dictionary<string, object?>
            {
                ["quota"] = violation.Quota,
                ["scope"] = violation.Scope,
                ["subject"] = violation.Subject,
                ["limit"] = violation.Limit,
                ["wouldUse"] = violation.WouldUse,
                ["excess"] = violation.Excess,
            });

    /// <summary>The answer to a room change: 202 with its task, 400, 409 or 422.</summary>
    public static IResult Answer(ApplyResult result, string invalidTitle = "The room definition is not valid.") =>
        result switch
        {
            { Quota: { } quota } => QuotaExceeded(quota),
            { Conflict: { } conflict } => Conflict(conflict),
            { Task: { } task } => Accepted(task),
            _ => Invalid(result.Errors, invalidTitle),
        };
}
