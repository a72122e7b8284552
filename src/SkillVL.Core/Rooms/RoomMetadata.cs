namespace SkillVL.Core.Rooms;

public sealed record RoomMetadata
{
    /// <summary>DNS-label style name, unique per SkillVL instance.</summary>
    public string Name { get; init; } = "";

    public string? Description { get; init; }
}
