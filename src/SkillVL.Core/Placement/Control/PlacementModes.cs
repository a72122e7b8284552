namespace SkillVL.Core.Placement.Control;

/// <summary>What the placement controller may do for a machine (issue 14, Deliver 3; ADR 0030).</summary>
public static class PlacementModes
{
    /// <summary>Nothing: no suggestion is shown, nothing moves.</summary>
    public const string Off = "off";

    /// <summary>Recommendations are shown; a person accepts or dismisses them.</summary>
    public const string Suggest = "suggest";

    /// <summary>The controller starts the recommended moves itself, through the migration engine.</summary>
    public const string Auto = "auto";

    /// <summary>Whether <paramref name="mode"/> is one of the three.</summary>
    public static bool IsKnown(string? mode) => mode is Off or Suggest or Auto;
}
