namespace SkillVL.Cli.Http;

/// <summary>The server answered with an error status.</summary>
/// <param name="subject">What the request was about, for messages: "room 'net-basics'", "task 'x1y2'".</param>
internal sealed class ApiProblemException(int statusCode, ApiProblem problem, string subject)
    : Exception($"{subject}: HTTP {statusCode} {problem.Title}")
{
    public int StatusCode { get; } = statusCode;

    public ApiProblem Problem { get; } = problem;

    public string Subject { get; } = subject;
}
