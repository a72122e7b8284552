using SkillVL.Architecture.Tests.LayerFixtures.Alpha;
using SkillVL.Architecture.Tests.LayerFixtures.Beta;

namespace SkillVL.Architecture.Tests.LayerFixtures.Gamma;

/// <summary>
/// Gamma uses Alpha through an attribute only and Beta only as the generic argument of a local; nothing uses Gamma, so
/// it sits above the Alpha–Beta cycle, outside it.
/// </summary>
[AlphaMarker]
public sealed class GammaTagged
{
    public static int Empty()
    {
        var services = new List<BetaService>();
        return services.Count;
    }
}
