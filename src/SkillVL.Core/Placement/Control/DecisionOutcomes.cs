namespace SkillVL.Core.Placement.Control;

/// <summary>What the controller did with a recommendation, and the codes of why (ADR 0030).</summary>
public static class DecisionOutcomes
{
    /// <summary>A move was started (auto), or a person accepted the suggestion.</summary>
    public const string Acted = "acted";

    /// <summary>Shown to the people who may accept it (suggest).</summary>
    public const string Suggested = "suggested";

    /// <summary>Not moved and not shown, for the reason its code names.</summary>
    public const string Held = "held";

    /// <summary>The policy is off.</summary>
    public const string Off = "off";

    // Why, as a code beside the words.
    public const string CodeAuto = "auto";
    public const string CodeAccepted = "accepted";
    public const string CodeSuggest = "suggest";
    public const string CodeOff = "off";
    public const string CodePinned = "pinned";
    public const string CodeWindow = "window";
    public const string CodeHysteresis = "hysteresis";
    public const string CodeMinStay = "min-stay";
    public const string CodeNodeLimit = "node-limit";
    public const string CodeLinkLimit = "link-limit";

    /// <summary>Moved because its client announced its departure: under suggest as under auto, without the hysteresis or
    /// the minimum stay (ADR 0063).</summary>
    public const string CodeDeparture = "departure";

    /// <summary>The migration engine refused the move the controller started (the situation changed); the reason is its answer.</summary>
    public const string CodeRefused = "refused";
}
