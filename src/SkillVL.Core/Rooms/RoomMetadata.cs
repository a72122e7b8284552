namespace SkillVL.Core.Rooms;

public sealed record RoomMetadata
{
    /// <summary>DNS-label style name, unique among the rooms of its owner.</summary>
    public string Name { get; init; } = "";

    public string? Description { get; init; }
}
