namespace SkillVL.Server.Data;

public sealed class TaskLogEntity
{
    public long Id { get; set; }

    public required string TaskId { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public required string Message { get; set; }
}
