namespace SkillVL.Core.Placement.Control;

/// <summary>
/// Where a placement policy is set, most specific first: a room, its owner, its course, everything (ADR 0030). A room
/// is more specific than its owner (a user has many rooms) and a user than a course (a course has many users).
/// </summary>
public static class PlacementScopes
{
    public const string Room = "room";

    public const string User = "user";

    public const string Course = "course";

    public const string Global = "global";

    /// <summary>The scopes in the order their fields win.</summary>
    public static readonly IReadOnlyList<string> MostSpecificFirst = [Room, User, Course, Global];

    /// <summary>Whether <paramref name="scope"/> is one of the four.</summary>
    public static bool IsKnown(string? scope) => scope is Room or User or Course or Global;
}
