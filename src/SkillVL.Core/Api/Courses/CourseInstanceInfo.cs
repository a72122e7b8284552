namespace SkillVL.Core.Api.Courses;

/// <summary>A student's own room, made from a published version of the course's room.</summary>
public sealed record CourseInstanceInfo(
    string RoomId,
    string RoomName,
    string Student,
    int Version,
    string Phase,
    int Machines,
    int MachinesRunning);
