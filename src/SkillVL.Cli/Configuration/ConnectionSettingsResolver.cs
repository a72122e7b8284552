using System.Text.Json;
using SkillVL.Cli.Http;

namespace SkillVL.Cli.Configuration;

/// <summary>
/// Finds the server and token. Each of the two is taken from the first source that names it:
/// <c>--server</c>/<c>--token</c>, then <c>SKILLVL_SERVER</c>/<c>SKILLVL_TOKEN</c>, then a config file
/// (<c>--config</c> or <c>SKILLVL_CONFIG</c>; else <c>$XDG_CONFIG_HOME/skillvl/config.json</c> or
/// <c>~/.config/skillvl/config.json</c>; else <c>/etc/skillvl/cli.json</c>).
/// </summary>
internal static class ConnectionSettingsResolver
{
    public const string ServerVariable = "SKILLVL_SERVER";
    public const string TokenVariable = "SKILLVL_TOKEN";
    public const string ConfigVariable = "SKILLVL_CONFIG";

    public const string NotConfiguredMessage =
        "no SkillVL server configured: run `./skillvl up` on this machine, or pass --server/--token";

    public static ConnectionSettings Resolve(ConnectionOverrides overrides, CliEnvironment environment)
    {
        var server = NonEmpty(overrides.Server) ?? NonEmpty(environment.GetVariable(ServerVariable));
        var token = NonEmpty(overrides.Token) ?? NonEmpty(environment.GetVariable(TokenVariable));
        LoginSession? session = null;

        // The file is read only when something is still missing, so a broken file does not get in the way
        // of a command line that says everything.
        if (server is null || token is null)
        {
            var path = FindConfigFile(overrides.ConfigPath, environment);
            if (path is not null)
            {
                var file = Load(path);
                var fileServer = NonEmpty(file.Server);
                server ??= fileServer;

                // A file's token belongs to the file's server: never send it to a server named elsewhere
                // (e.g. `--server http://other:8080` with /etc/skillvl/cli.json present would leak it).
                if (token is null && fileServer is not null && SameServer(server, fileServer))
                {
                    token = NonEmpty(file.Token);
                    if (token is not null && file.Oidc is not null)
                    {
                        session = new LoginSession(path, file.Oidc);
                    }
                }
            }
        }

        if (server is null)
        {
            throw new CliException(NotConfiguredMessage, ExitCodes.Usage);
        }

        return new ConnectionSettings(ParseServer(server), token, session);
    }

    /// <summary>
    /// The server <c>skillvl login</c> logs in to: <c>--server</c>, else <c>SKILLVL_SERVER</c>, else the server of
    /// the config file in use. Unlike <see cref="Resolve"/>, a config file named by <c>--config</c> need not exist
    /// yet: login creates it.
    /// </summary>
    public static Uri ResolveServerForLogin(ConnectionOverrides overrides, CliEnvironment environment)
    {
        var server = NonEmpty(overrides.Server) ?? NonEmpty(environment.GetVariable(ServerVariable));
        if (server is null)
        {
            var named = NamedConfigFile(overrides.ConfigPath, environment);
            var path = named is null ? FindConfigFile(null, environment) : File.Exists(named) ? named : null;
            server = path is null ? null : NonEmpty(Load(path).Server);
        }

        return server is null
            ? throw new CliException("no SkillVL server to log in to: pass --server URL (or set SKILLVL_SERVER)", ExitCodes.Usage)
            : ParseServer(server);
    }

    /// <summary>
    /// The file <c>skillvl login</c> and <c>logout</c> write: the one named by <c>--config</c> or
    /// <c>SKILLVL_CONFIG</c>, else the user's own (<c>$XDG_CONFIG_HOME/skillvl/config.json</c> or
    /// <c>~/.config/skillvl/config.json</c>) — never the machine-wide <c>/etc/skillvl/cli.json</c>.
    /// </summary>
    public static string UserConfigPath(string? explicitPath, CliEnvironment environment) =>
        NamedConfigFile(explicitPath, environment) ?? DefaultUserConfigPath(environment);

    /// <summary>The config file to read, or null when none exists; an explicitly named file must exist.</summary>
    public static string? FindConfigFile(string? explicitPath, CliEnvironment environment)
    {
        var named = NamedConfigFile(explicitPath, environment);
        if (named is not null)
        {
            return File.Exists(named)
                ? named
                : throw new CliException($"config file '{named}' does not exist", ExitCodes.Usage);
        }

        var userPath = DefaultUserConfigPath(environment);
        if (File.Exists(userPath))
        {
            return userPath;
        }

        return File.Exists(environment.SystemConfigPath) ? environment.SystemConfigPath : null;
    }

    private static string? NamedConfigFile(string? explicitPath, CliEnvironment environment) =>
        NonEmpty(explicitPath) ?? NonEmpty(environment.GetVariable(ConfigVariable));

    private static string DefaultUserConfigPath(CliEnvironment environment)
    {
        var xdg = NonEmpty(environment.GetVariable("XDG_CONFIG_HOME"));

        // The XDG spec says a relative $XDG_CONFIG_HOME is invalid and must be ignored.
        var userConfigDirectory = xdg is not null && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(environment.HomeDirectory, ".config");
        return Path.Combine(userConfigDirectory, "skillvl", "config.json");
    }

    public static ConfigFile Load(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return JsonSerializer.Deserialize<ConfigFile>(text, ApiJson.Options)
                ?? throw new CliException($"{path}: the file is empty (expected {{\"server\": ..., \"token\": ...}})", ExitCodes.Error);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException(
                $"cannot read {path}: permission denied (it holds the server's token; use sudo, or pass --server/--token)",
                ExitCodes.Error);
        }
        catch (JsonException e)
        {
            throw new CliException($"{path}: not valid JSON: {e.Message}", ExitCodes.Error);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot read {path}: {e.Message}", ExitCodes.Error);
        }
    }

    private static Uri ParseServer(string server)
    {
        if (Uri.TryCreate(server, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        throw new CliException($"server '{server}' is not an http:// or https:// URL", ExitCodes.Usage);
    }

    private static bool SameServer(string? chosen, string fromFile) =>
        chosen is not null
        && Uri.TryCreate(chosen, UriKind.Absolute, out var a)
        && Uri.TryCreate(fromFile, UriKind.Absolute, out var b)
        && a == b;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
