namespace SkillVL.Cli.Http;

/// <summary>The server answered with an error status.</summary>
/// <param name="subject">What the request was about, for messages: "room 'net-basics'", "task 'x1y2'".</param>
/// <param name="severalObjects">See <see cref="SeveralObjects"/>.</param>
internal sealed class ApiProblemException(int statusCode, ApiProblem problem, string subject, bool severalObjects = false)
    : Exception($"{subject}: HTTP {statusCode} {problem.Title}")
{
    public int StatusCode { get; } = statusCode;

    public ApiProblem Problem { get; } = problem;

    public string Subject { get; } = subject;

    /// <summary>
    /// The request names more than one object (<c>course enrol net101 alice bob</c>: the course and each user),
    /// so on a 404 only the server's detail says which of them does not exist.
    /// </summary>
    public bool SeveralObjects { get; } = severalObjects;
}
