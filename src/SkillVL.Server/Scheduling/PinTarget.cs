namespace SkillVL.Server.Scheduling;

/// <summary>
/// Whose machines a pin or a move would put on a node (issue 12): the room's owner decides which client node they may
/// go to, whoever asks (an admin acting on a student's room may use that student's laptop; an admin's own room may not).
/// </summary>
/// <param name="OwnerId">The room's owner; null for a course's published room, which becomes every student's instance.</param>
/// <param name="Course">For a course instance: the course's name; null for a room of one's own.</param>
/// <param name="CourseAllowsClientNodes">For a course instance: whether its teacher allows client nodes.</param>
public sealed record PinTarget(string? OwnerId, string? Course = null, bool CourseAllowsClientNodes = false)
{
    /// <summary>A course's published room: its pins go into every student's instance.</summary>
    public static PinTarget CourseDefinition(string course) => new(null, course);
}
