using System.Security.Cryptography.X509Certificates;

namespace SkillVL.Experiments.Host;

/// <summary>
/// How <c>experiment run</c> reaches an existing Server for <c>where: nodes</c>: its URL, an admin's API token read from
/// an owner-only file (never an argument: argv is world-readable in /proc), and optionally the Server's CA to trust.
/// </summary>
internal static class ExistingServer
{
    /// <exception cref="ExperimentSpecException">An option is missing or wrong; the message names it.</exception>
    public static (Uri Url, string Token, HttpMessageHandler Handler) Connection(string? server, string? tokenFile, string? caFile)
    {
        var errors = new List<string>();
        Uri? url = null;
        if (server is null)
        {
            errors.Add("--server: where: nodes runs on an existing Server; give its URL");
        }
        else if (!Uri.TryCreate(server, UriKind.Absolute, out url) || url.Scheme is not ("https" or "http"))
        {
            errors.Add($"--server: \"{server}\" is not an http(s) URL");
        }
        else if (url.Scheme == "http" && !url.IsLoopback)
        {
            errors.Add($"--server: {server} would send the token in clear text; use https (plain http only on loopback)");
        }

        var token = tokenFile is null ? null : ReadToken(tokenFile, errors);
        if (tokenFile is null)
        {
            errors.Add("--token-file: where: nodes needs an admin's API token, in a file only you can read");
        }

        X509Certificate2? ca = null;
        if (caFile is not null)
        {
            try
            {
                ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                errors.Add($"--ca-file: {caFile}: {e.Message}");
            }
        }

        if (errors.Count > 0)
        {
            ca?.Dispose();
            throw new ExperimentSpecException(errors);
        }

        var handler = new SocketsHttpHandler();
        if (ca is not null)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca } };
        }

        return (url!, token!, handler);
    }

    private static string? ReadToken(string path, List<string> errors)
    {
        if (!File.Exists(path))
        {
            errors.Add($"--token-file: {path} does not exist");
            return null;
        }

        if ((File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            errors.Add($"--token-file: {path} can be read by other users; run `chmod 600 {path}`");
            return null;
        }

        var token = File.ReadAllText(path).Trim();
        if (token.Length == 0)
        {
            errors.Add($"--token-file: {path} is empty");
            return null;
        }

        return token;
    }
}
