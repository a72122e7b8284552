namespace SkillVL.Server.Data;

public sealed class TaskEntity
{
    public required string Id { get; set; }

    public required string Kind { get; set; }

    public required string Target { get; set; }

    public required string State { get; set; }

    public double Progress { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string? Outcome { get; set; }

    /// <summary>Who may see the task: the owner of its room (kept after the room is gone).</summary>
    public string? OwnerId { get; set; }

    /// <summary>The course of its room, so the course's teacher may see it too.</summary>
    public string? CourseId { get; set; }

    /// <summary>The room the task converges, if any.</summary>
    public string? RoomId { get; set; }

    /// <summary>The machine the task converges, if any.</summary>
    public string? MachineId { get; set; }

    /// <summary>The room generation (apply) or restart nonce (restart) the task waits for.</summary>
    public long? AwaitedGeneration { get; set; }

    public List<TaskLogEntity> Log { get; set; } = [];
}
