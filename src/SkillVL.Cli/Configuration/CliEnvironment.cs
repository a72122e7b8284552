namespace SkillVL.Cli.Configuration;

/// <summary>The parts of the process environment that configuration reads, injectable for tests.</summary>
/// <param name="GetVariable">Reads an environment variable; null when unset.</param>
/// <param name="HomeDirectory">The user's home directory, for <c>~/.config/skillvl/config.json</c>.</param>
/// <param name="SystemConfigPath">The machine-wide file <c>./skillvl up</c> leaves behind.</param>
internal sealed record CliEnvironment(Func<string, string?> GetVariable, string HomeDirectory, string SystemConfigPath)
{
    public const string DefaultSystemConfigPath = "/etc/skillvl/cli.json";

    public static CliEnvironment FromProcess() => new(
        Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        DefaultSystemConfigPath);
}
