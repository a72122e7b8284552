using System.CommandLine;
using SkillVL.Cli.Configuration;
using SkillVL.Drivers.Proxmox;
using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>--url --token-id --secret-file --fingerprint</c>: how to reach a Proxmox VE cluster, given on the command line or
/// (without them) read from the registered cluster NAME. Every bad value is a usage error naming its option.
/// </summary>
internal sealed class ClusterConnectionOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = "The PVE API address, https://HOST:8006", HelpName = "URL" };

    public Option<string?> TokenId { get; } = new("--token-id") { Description = "The API token id, USER@REALM!TOKENID", HelpName = "ID" };

    public Option<string?> SecretFile { get; } = new("--secret-file") { Description = "A file holding the token's secret, readable only by you (mode 0600)", HelpName = "FILE" };

    public Option<string?> Fingerprint { get; } = new("--fingerprint") { Description = "SHA-256 fingerprint of the API certificate (`pvenode cert info`)", HelpName = "SHA256" };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(TokenId);
        command.Options.Add(SecretFile);
        command.Options.Add(Fingerprint);
    }

    /// <summary>True when any of the four was given (then all four must be).</summary>
    public bool AnyGiven(ParseResult parseResult) =>
        parseResult.GetValue(Url) is not null || parseResult.GetValue(TokenId) is not null
        || parseResult.GetValue(SecretFile) is not null || parseResult.GetValue(Fingerprint) is not null;

    /// <summary>The connection from the options; the secret is read from its file (which must be the user's only).</summary>
    public (ProxmoxCluster Cluster, RegisteredCluster Saved) FromOptions(ParseResult parseResult, string? name)
    {
        string Need(Option<string?> option) =>
            parseResult.GetValue(option) ?? throw new CliException($"{option.Name} is required (or name a cluster registered with `skillvl cluster add`)", ExitCodes.Usage);

        var saved = new RegisteredCluster(Need(Url), Need(TokenId), Need(Fingerprint), ReadSecret(Need(SecretFile)));
        return (Connect(name, saved), saved);
    }

    public static ProxmoxCluster Connect(string? name, RegisteredCluster saved)
    {
        if (!Uri.TryCreate(saved.Url, UriKind.Absolute, out var baseUri) || baseUri.Scheme != Uri.UriSchemeHttps || baseUri.AbsolutePath != "/")
        {
            throw new CliException($"--url: '{saved.Url}' is not an https address without a path, e.g. https://pve1.example.org:8006", ExitCodes.Usage);
        }

        try
        {
            var token = ApiToken.Create(saved.TokenId, saved.Secret);
            return new ProxmoxCluster(name ?? baseUri.Host, baseUri, token, CertificatePin.Parse(saved.Fingerprint));
        }
        catch (ArgumentException e)
        {
            var option = e.ParamName switch { "id" => "--token-id", "secret" => "--secret-file", _ => "--fingerprint" };
            throw new CliException($"{option}: {e.Message.Split(" (Parameter", 2)[0]}", ExitCodes.Usage);
        }
    }

    private static string ReadSecret(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--secret-file: {path} does not exist", ExitCodes.Usage);
        }

        // The secret is a password in all but name: refuse a file others can read rather than use it and leak it further.
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new CliException($"--secret-file: {path} can be read by other users; run `chmod 600 {path}`", ExitCodes.Usage);
        }

        return File.ReadAllText(path);
    }
}
