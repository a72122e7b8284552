namespace SkillVL.Server.Data;

public sealed class EnrolmentEntity
{
    public required string CourseId { get; set; }

    public required string UserId { get; set; }

    public DateTimeOffset EnrolledAt { get; set; }
}
