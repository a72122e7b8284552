using SkillVL.Core.Api.Checks;

namespace SkillVL.Core.Api.Courses;

/// <summary>A student's own room, made from a published version of the course's room.</summary>
/// <param name="Checks">The instance's latest check run (ADR 0042); null: its checks have not run yet.</param>
public sealed record CourseInstanceInfo(
    string RoomId,
    string RoomName,
    string Student,
    int Version,
    string Phase,
    int Machines,
    int MachinesRunning,
    CheckSummary? Checks = null);
