namespace SkillVL.Core.Api.Placements;

/// <summary>A client node announces it will leave (a laptop closing, ADR 0063): its machines go back to a server first.</summary>
/// <param name="InSeconds">How long until it goes, 1–86400 (a day); required.</param>
public sealed record NodeDepartureRequest(int? InSeconds = null)
{
    public const int MaxSeconds = 86_400;
}
