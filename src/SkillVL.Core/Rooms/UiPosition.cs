namespace SkillVL.Core.Rooms;

/// <summary>Where the designer draws an element; part of the document so layout round-trips.</summary>
public sealed record UiPosition
{
    public double X { get; init; }

    public double Y { get; init; }
}
