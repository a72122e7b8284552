using SkillVL.Architecture.Tests.LayerFixtures.Beta;

namespace SkillVL.Architecture.Tests.LayerFixtures.Alpha;

/// <summary>A known case for <see cref="Layers.FolderGraphReader"/>: Alpha uses Beta through a property's type only.</summary>
public sealed class AlphaRecord
{
    public BetaService? Service { get; set; }
}
