namespace SkillVL.Core.Api;

/// <summary>A room in a listing.</summary>
/// <param name="Phase">"Pending", "Ready", "Stopped", "Degraded", "Deleting".</param>
public sealed record RoomSummary(
    string Id,
    string Name,
    string Phase,
    int Machines,
    int MachinesRunning,
    long Generation,
    DateTimeOffset CreatedAt);
