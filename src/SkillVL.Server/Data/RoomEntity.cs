namespace SkillVL.Server.Data;

/// <summary>A room: its authored definition (desired state) and what the reconciler has seen of it.</summary>
public sealed class RoomEntity
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The user the room belongs to (for a course instance: the student).</summary>
    public required string OwnerId { get; set; }

    /// <summary>Set when the room is a student's instance of a course's published room.</summary>
    public string? CourseId { get; set; }

    /// <summary>The published version the instance was made from (or last reset/upgraded to).</summary>
    public int? CourseVersion { get; set; }

    /// <summary>The definition as canonical JSON (RoomDocument.ToJson), the source for GET and round-trips.</summary>
    public required string DefinitionJson { get; set; }

    /// <summary>Bumped by every accepted apply.</summary>
    public long Generation { get; set; }

    /// <summary>The generation whose machines and networks have all converged once.</summary>
    public long ObservedGeneration { get; set; }

    public bool DeletionRequested { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<NetworkEntity> Networks { get; set; } = [];

    public List<MachineEntity> Machines { get; set; } = [];
}
