using SkillVL.Architecture.Tests.LayerFixtures.Alpha;

namespace SkillVL.Architecture.Tests.LayerFixtures.Beta;

/// <summary>
/// Beta uses Alpha only inside a lambda (a method body of a compiler-generated nested type), so the reader must count
/// that for BetaService to find the Alpha–Beta cycle.
/// </summary>
public sealed class BetaService
{
    public int Count(IEnumerable<object> items) => items.Count(i => i is AlphaRecord);
}
