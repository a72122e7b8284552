namespace SkillVL.Core.Api;

/// <summary>A room in a listing.</summary>
/// <param name="Phase">"Pending", "Ready", "Stopped", "Degraded", "Deleting".</param>
/// <param name="Owner">Username of the owner.</param>
/// <param name="Course">The course this room is an instance of, if any.</param>
/// <param name="CourseVersion">The published version the instance was made from.</param>
public sealed record RoomSummary(
    string Id,
    string Name,
    string Phase,
    int Machines,
    int MachinesRunning,
    long Generation,
    DateTimeOffset CreatedAt,
    string? Owner = null,
    string? Course = null,
    int? CourseVersion = null);
