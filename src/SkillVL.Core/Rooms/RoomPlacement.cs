namespace SkillVL.Core.Rooms;

/// <summary>The scheduling wishes of a room.</summary>
public sealed record RoomPlacement
{
    /// <summary>"spread" or "pack"; null: the Server's setting.</summary>
    public string? Policy { get; init; }
}
