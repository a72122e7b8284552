namespace SkillVL.Server.Migrations;

/// <summary>Log messages of the migration engine; event ids 3300–3399.</summary>
public static partial class MigrationLog
{
    [LoggerMessage(3300, LogLevel.Information, "Migration {Migration}: {Message}")]
    public static partial void Step(ILogger logger, string migration, string message);

    [LoggerMessage(3301, LogLevel.Warning, "Migration {Migration}: cleanup step {Step} failed")]
    public static partial void CleanupFailed(ILogger logger, string migration, string step, Exception exception);

    [LoggerMessage(3302, LogLevel.Warning, "Migration {Migration} failed")]
    public static partial void Failed(ILogger logger, string migration, Exception exception);

    [LoggerMessage(3303, LogLevel.Error, "Migration runner: recovering migration {Migration} failed")]
    public static partial void RecoveryFailed(ILogger logger, string migration, Exception exception);
}
