namespace SkillVL.Server.Rooms;

/// <summary>Display names for room views: user id → username, course id → course name.</summary>
public sealed record RoomNames(IReadOnlyDictionary<string, string> Users, IReadOnlyDictionary<string, string> Courses);
