using SkillVL.Cli.Configuration;

namespace SkillVL.Cli.Tests;

public sealed class ConnectionSettingsResolverTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("skillvl-cli-config-").FullName;
    private readonly Dictionary<string, string> variables = [];

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Resolve_FlagsGiven_WinOverEnvironmentAndFile()
    {
        variables["SKILLVL_SERVER"] = "http://env:8080";
        variables["SKILLVL_TOKEN"] = "env-token";
        WriteSystemConfig("""{"server":"http://file:8080","token":"file-token"}""");

        var settings = Resolve(new ConnectionOverrides("http://flag:8080", "flag-token", null));

        Assert.Equal(new Uri("http://flag:8080"), settings.Server);
        Assert.Equal("flag-token", settings.Token);
    }

    [Fact]
    public void Resolve_EnvironmentGiven_WinsOverFile()
    {
        variables["SKILLVL_SERVER"] = "http://env:8080";
        variables["SKILLVL_TOKEN"] = "env-token";
        WriteSystemConfig("""{"server":"http://file:8080","token":"file-token"}""");

        var settings = Resolve(NoFlags);

        Assert.Equal(new Uri("http://env:8080"), settings.Server);
        Assert.Equal("env-token", settings.Token);
    }

    [Fact]
    public void Resolve_NothingButSystemFile_ReadsEtcFile()
    {
        WriteSystemConfig("""{"server":"http://127.0.0.1:8080","token":"from-up"}""");

        var settings = Resolve(NoFlags);

        Assert.Equal(new Uri("http://127.0.0.1:8080"), settings.Server);
        Assert.Equal("from-up", settings.Token);
    }

    [Fact]
    public void Resolve_UserFileAndSystemFile_UserFileWins()
    {
        WriteSystemConfig("""{"server":"http://system:8080","token":"system"}""");
        WriteFile(Path.Combine(directory, "home", ".config", "skillvl", "config.json"), """{"server":"http://user:8080","token":"user"}""");

        var settings = Resolve(NoFlags);

        Assert.Equal(new Uri("http://user:8080"), settings.Server);
        Assert.Equal("user", settings.Token);
    }

    [Fact]
    public void Resolve_XdgConfigHomeSet_ReadsThereInsteadOfDotConfig()
    {
        WriteFile(Path.Combine(directory, "home", ".config", "skillvl", "config.json"), """{"server":"http://dotconfig:8080"}""");
        WriteFile(Path.Combine(directory, "xdg", "skillvl", "config.json"), """{"server":"http://xdg:8080"}""");
        variables["XDG_CONFIG_HOME"] = Path.Combine(directory, "xdg");

        Assert.Equal(new Uri("http://xdg:8080"), Resolve(NoFlags).Server);
    }

    [Fact]
    public void Resolve_ConfigFlag_WinsOverConfigVariableAndDefaultFiles()
    {
        WriteSystemConfig("""{"server":"http://system:8080"}""");
        var viaVariable = WriteFile(Path.Combine(directory, "variable.json"), """{"server":"http://variable:8080"}""");
        var viaFlag = WriteFile(Path.Combine(directory, "flag.json"), """{"server":"http://flag-file:8080"}""");
        variables["SKILLVL_CONFIG"] = viaVariable;

        Assert.Equal(new Uri("http://flag-file:8080"), Resolve(new ConnectionOverrides(null, null, viaFlag)).Server);
        Assert.Equal(new Uri("http://variable:8080"), Resolve(NoFlags).Server);
    }

    [Fact]
    public void Resolve_ServerFromFlagTokenOnlyInFile_UsesFileTokenOnlyForTheFilesServer()
    {
        WriteSystemConfig("""{"server":"http://127.0.0.1:8080","token":"local-secret"}""");

        var sameServer = Resolve(new ConnectionOverrides("http://127.0.0.1:8080/", null, null));
        var otherServer = Resolve(new ConnectionOverrides("http://elsewhere:8080", null, null));

        Assert.Equal("local-secret", sameServer.Token);
        Assert.Null(otherServer.Token);
    }

    [Fact]
    public void Resolve_NothingConfigured_SaysToRunSkillvlUp()
    {
        var e = Assert.Throws<CliException>(() => Resolve(NoFlags));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal(
            "no SkillVL server configured: run `./skillvl up` on this machine, or pass --server/--token",
            e.Message);
    }

    [Fact]
    public void Resolve_NamedConfigFileMissing_SaysWhichFile()
    {
        var missing = Path.Combine(directory, "missing.json");

        var e = Assert.Throws<CliException>(() => Resolve(new ConnectionOverrides(null, null, missing)));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfigFileNotJson_NamesTheFile()
    {
        var path = WriteSystemConfig("server: http://x");

        var e = Assert.Throws<CliException>(() => Resolve(NoFlags));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Error, e.ExitCode);
    }

    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData("ftp://host")]
    [InlineData("not a url")]
    public void Resolve_ServerNotHttpUrl_IsUsageError(string server)
    {
        var e = Assert.Throws<CliException>(() => Resolve(new ConnectionOverrides(server, "t", null)));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void Resolve_FlagsComplete_DoesNotReadBrokenFile()
    {
        WriteSystemConfig("{ broken");

        var settings = Resolve(new ConnectionOverrides("http://flag:8080", "t", null));

        Assert.Equal(new Uri("http://flag:8080"), settings.Server);
    }

    [Fact]
    public void Resolve_FileTokenFromLogin_CarriesTheSessionForRenewal()
    {
        var path = WriteFile(
            Path.Combine(directory, "home", ".config", "skillvl", "config.json"),
            """{"server":"http://lab:8080","token":"at","oidc":{"tokenEndpoint":"http://lab:8080/connect/token","clientId":"skillvl-cli","refreshToken":"rt","expiresAt":"2026-01-01T00:00:00Z"}}""");

        var settings = Resolve(NoFlags);

        Assert.Equal("at", settings.Token);
        Assert.Equal(path, settings.Session!.ConfigPath);
        Assert.Equal("rt", settings.Session.Oidc.RefreshToken);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), settings.Session.Oidc.ExpiresAt);
    }

    [Fact]
    public void Resolve_TokenNotFromTheLoginFile_HasNoSession()
    {
        WriteFile(
            Path.Combine(directory, "home", ".config", "skillvl", "config.json"),
            """{"server":"http://lab:8080","token":"at","oidc":{"refreshToken":"rt"}}""");
        variables["SKILLVL_TOKEN"] = "env-token";

        Assert.Null(Resolve(NoFlags).Session);
        WriteSystemConfig("""{"server":"http://127.0.0.1:8080","token":"from-up"}""");
        Assert.Null(Resolve(new ConnectionOverrides(null, null, Path.Combine(directory, "etc", "cli.json"))).Session);
    }

    [Fact]
    public void LoginPaths_NamedFileMayNotExistYet_DefaultIsTheUsersFileNeverEtc()
    {
        WriteSystemConfig("""{"server":"http://system:8080"}""");
        var environment = Environment();
        var named = Path.Combine(directory, "new.json");

        Assert.Equal(named, ConnectionSettingsResolver.UserConfigPath(named, environment));
        Assert.Equal(
            Path.Combine(directory, "home", ".config", "skillvl", "config.json"),
            ConnectionSettingsResolver.UserConfigPath(null, environment));
        Assert.Equal(new Uri("http://system:8080"), ConnectionSettingsResolver.ResolveServerForLogin(NoFlags, environment));
        Assert.Equal(
            new Uri("http://flag:8080"),
            ConnectionSettingsResolver.ResolveServerForLogin(new ConnectionOverrides("http://flag:8080", null, named), environment));
    }

    private static ConnectionOverrides NoFlags => new(null, null, null);

    private CliEnvironment Environment() =>
        new(name => variables.GetValueOrDefault(name), Path.Combine(directory, "home"), Path.Combine(directory, "etc", "cli.json"));

    private ConnectionSettings Resolve(ConnectionOverrides overrides) =>
        ConnectionSettingsResolver.Resolve(overrides, Environment());

    private string WriteSystemConfig(string text) => WriteFile(Path.Combine(directory, "etc", "cli.json"), text);

    private static string WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
