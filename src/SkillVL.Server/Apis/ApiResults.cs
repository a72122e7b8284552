using SkillVL.Core.Rooms;

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
}
