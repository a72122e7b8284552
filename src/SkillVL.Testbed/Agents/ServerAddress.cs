namespace SkillVL.Testbed.Agents;

/// <summary>
/// Where the Server is, as agents and the testbed are told: <c>unix:/run/skillvl/agent.sock</c> (a unix socket on
/// the filesystem every namespace shares, so the Server can stay on loopback) or an <c>http(s)://</c> URL.
/// </summary>
public sealed record ServerAddress(string Text, string? SocketPath, Uri? BaseUri)
{
    /// <exception cref="TestbedException">Usage error naming <paramref name="option"/>.</exception>
    public static ServerAddress Parse(string option, string text)
    {
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = text["unix:".Length..];
            if (!Path.IsPathFullyQualified(path))
            {
                throw TestbedException.Usage(option, $"'{text}' needs an absolute socket path, e.g. unix:/run/skillvl/agent.sock");
            }

            return new ServerAddress(text, path, null);
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return new ServerAddress(text, null, uri);
        }

        throw TestbedException.Usage(option, $"'{text}' is neither unix:/path/to/socket nor an http(s) URL");
    }
}
