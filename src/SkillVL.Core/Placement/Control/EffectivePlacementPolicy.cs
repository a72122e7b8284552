namespace SkillVL.Core.Placement.Control;

/// <summary>
/// The policy that applies to one machine: per field the most specific scope that sets it, then the defaults; the quiet
/// windows of all scopes together (an exam window the course sets holds even when the student's own policy is set).
/// </summary>
/// <param name="Mode">off, suggest or auto.</param>
/// <param name="ModeFrom">Which scope decided the mode ("room", "user", "course", "global", "default"): said in reasons.</param>
/// <param name="HysteresisEvaluations">At least 1.</param>
/// <param name="MinStay">The minimum stay after a move.</param>
/// <param name="MaxMovesPerNode">Moves at once per node.</param>
/// <param name="MaxMovesPerLink">Moves at once per pair of nodes.</param>
/// <param name="Windows">Every quiet window that applies.</param>
public sealed record EffectivePlacementPolicy(
    string Mode,
    string ModeFrom,
    int HysteresisEvaluations,
    TimeSpan MinStay,
    int MaxMovesPerNode,
    int MaxMovesPerLink,
    IReadOnlyList<QuietWindow> Windows)
{
    /// <summary>
    /// Resolves the policies set for a machine's scopes (<paramref name="byScope"/>: scope → policy, missing = not set)
    /// over <paramref name="defaults"/>, whose fields must all be set.
    /// </summary>
    public static EffectivePlacementPolicy Resolve(IReadOnlyDictionary<string, PlacementPolicy> byScope, PlacementPolicy defaults)
    {
        ArgumentNullException.ThrowIfNull(byScope);
        ArgumentNullException.ThrowIfNull(defaults);
        var chain = PlacementScopes.MostSpecificFirst
            .Where(byScope.ContainsKey)
            .Select(s => (Scope: s, Policy: byScope[s]))
            .Append((Scope: "default", Policy: defaults))
            .ToList();
        var mode = chain.First(c => c.Policy.Mode is not null);
        return new EffectivePlacementPolicy(
            mode.Policy.Mode!,
            mode.Scope,
            Math.Max(1, chain.First(c => c.Policy.HysteresisEvaluations is not null).Policy.HysteresisEvaluations!.Value),
            TimeSpan.FromSeconds(chain.First(c => c.Policy.MinStaySeconds is not null).Policy.MinStaySeconds!.Value),
            // The limits protect shared nodes and links: only the global scope (then the defaults) sets them.
            (byScope.GetValueOrDefault(PlacementScopes.Global)?.MaxMovesPerNode ?? defaults.MaxMovesPerNode)!.Value,
            (byScope.GetValueOrDefault(PlacementScopes.Global)?.MaxMovesPerLink ?? defaults.MaxMovesPerLink)!.Value,
            chain.SelectMany(c => c.Policy.Windows ?? []).ToList());
    }
}
