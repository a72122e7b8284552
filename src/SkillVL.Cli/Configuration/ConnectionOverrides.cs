namespace SkillVL.Cli.Configuration;

/// <summary>What the global command-line options said; each is null when the option was not given.</summary>
internal sealed record ConnectionOverrides(string? Server, string? Token, string? ConfigPath);
