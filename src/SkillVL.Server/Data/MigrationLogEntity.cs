namespace SkillVL.Server.Data;

/// <summary>One line of a migration's log: each phase, each decision, each cleanup step.</summary>
public sealed class MigrationLogEntity
{
    public long Id { get; set; }

    public required string MigrationId { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Message { get; set; }
}
