using SkillVL.Architecture.Tests.LayerFixtures.Alpha;
using Xunit;

namespace SkillVL.Architecture.Tests.Layers;

/// <summary>The folder analysis on a tiny known case (LayerFixtures/), so the Server's layering check can fail.</summary>
public sealed class FolderGraphReaderTests
{
    private static FolderGraph ReadFixtures() =>
        FolderGraphReader.Read(typeof(AlphaRecord).Assembly.Location, "SkillVL.Architecture.Tests.LayerFixtures");

    [Fact]
    public void Read_FieldLambdaGenericArgumentAndAttribute_EachMakeAnEdge()
    {
        var graph = ReadFixtures();

        Assert.Equal(["Alpha", "Beta", "Gamma"], graph.Nodes);
        Assert.Equal(["Alpha.AlphaRecord → Beta.BetaService"], graph.Evidence("Alpha", "Beta"));

        // The lambda's closure class is nested in BetaService and counts for it.
        Assert.Equal(["Beta.BetaService → Alpha.AlphaRecord"], graph.Evidence("Beta", "Alpha"));
        Assert.Equal(["Gamma.GammaTagged → Beta.BetaService"], graph.Evidence("Gamma", "Beta"));
        Assert.Equal(["Gamma.GammaTagged → Alpha.AlphaMarkerAttribute"], graph.Evidence("Gamma", "Alpha"));
        Assert.False(graph.HasEdge("Alpha", "Gamma"));
        Assert.False(graph.HasEdge("Beta", "Gamma"));
    }

    [Fact]
    public void Cycles_FindTheAlphaBetaCycleAndItsTwoEdges()
    {
        var graph = ReadFixtures();

        var cycles = StronglyConnectedComponents.Cycles(graph);

        var cycle = Assert.Single(cycles);
        Assert.Equal(["Alpha", "Beta"], cycle);
        Assert.Equal([("Alpha", "Beta"), ("Beta", "Alpha")], StronglyConnectedComponents.CycleEdges(graph, cycles));
    }

    [Fact]
    public void Cycles_OfAChain_AreNone()
    {
        var graph = new FolderGraph();
        graph.AddEdge("Top", "Middle", "T", "M");
        graph.AddEdge("Middle", "Bottom", "M", "B");
        graph.AddEdge("Top", "Bottom", "T", "B");

        Assert.Empty(StronglyConnectedComponents.Cycles(graph));

        graph.AddEdge("Bottom", "Top", "B", "T");
        Assert.Equal(["Bottom", "Middle", "Top"], Assert.Single(StronglyConnectedComponents.Cycles(graph)));
    }
}
