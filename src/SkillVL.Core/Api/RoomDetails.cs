using SkillVL.Core.Rooms;

namespace SkillVL.Core.Api;

/// <summary>A room with its definition and the observed state of its machines and networks.</summary>
/// <param name="StopsAt">When its lifetime stops its machines (ADR 0058); null: never.</param>
/// <param name="DeletesAt">When its lifetime deletes it; null: never.</param>
public sealed record RoomDetails(
    string Id,
    string Name,
    string Phase,
    long Generation,
    long ObservedGeneration,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    RoomDefinition Definition,
    IReadOnlyList<MachineStatus> Machines,
    IReadOnlyList<NetworkStatus> Networks,
    string? Owner = null,
    string? Course = null,
    int? CourseVersion = null,
    DateTimeOffset? StopsAt = null,
    DateTimeOffset? DeletesAt = null);
