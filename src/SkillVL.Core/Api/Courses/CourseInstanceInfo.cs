using SkillVL.Core.Api.Checks;

namespace SkillVL.Core.Api.Courses;

/// <summary>A student's own room, made from a published version of the course's room.</summary>
/// <param name="Checks">The instance's latest check run (ADR 0042); null: its checks have not run yet.</param>
/// <param name="LastActivity">When the instance was last changed or used (ADR 0045): the newest of its last change, its
/// latest task, its latest check run and its student's latest console; null only for rows written before.</param>
/// <param name="LastActivityWhat">What that was, in words ("console vnc on a", "checks run by tina", "room.start").</param>
public sealed record CourseInstanceInfo(
    string RoomId,
    string RoomName,
    string Student,
    int Version,
    string Phase,
    int Machines,
    int MachinesRunning,
    CheckSummary? Checks = null,
    DateTimeOffset? LastActivity = null,
    string? LastActivityWhat = null);
