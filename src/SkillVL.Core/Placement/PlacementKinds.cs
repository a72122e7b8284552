namespace SkillVL.Core.Placement;

/// <summary>Which way a recommended move goes (issue 14: vertical and horizontal migration).</summary>
public static class PlacementKinds
{
    /// <summary>From a server or edge node to the owner's own computer.</summary>
    public const string VerticalToClient = "vertical-to-client";

    /// <summary>From a student's computer back to a server or edge node.</summary>
    public const string VerticalToServer = "vertical-to-server";

    /// <summary>Between server or edge nodes.</summary>
    public const string Horizontal = "horizontal";
}
