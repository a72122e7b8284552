namespace SkillVL.Cli.Http;

/// <summary>An RFC 7807 problem document as the server sends it (ValidationProblemDetails adds <see cref="Errors"/>).</summary>
/// <param name="Errors">Field path (e.g. "machines[0].nics[0].ip") to messages; "" for the whole document.</param>
internal sealed record ApiProblem(
    string? Title,
    int? Status,
    string? Detail,
    IReadOnlyDictionary<string, string[]>? Errors);
