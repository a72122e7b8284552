namespace SkillVL.Cli.Http;

/// <summary>No HTTP answer came from the server: connection refused, name not resolved, or no answer in time.</summary>
internal sealed class ServerUnreachableException(Uri server, string reason, Exception? inner = null)
    : Exception($"cannot reach the SkillVL server at {server}: {reason}", inner)
{
    public Uri Server { get; } = server;
}
