namespace SkillVL.Core.Rooms;

/// <summary>What a command check's run must give to pass.</summary>
public sealed record CheckExpectation
{
    /// <summary>The exit status; null: 0.</summary>
    public int? Exit { get; init; }

    /// <summary>Text standard output must contain (case-sensitive); null: any output.</summary>
    public string? Output { get; init; }
}
