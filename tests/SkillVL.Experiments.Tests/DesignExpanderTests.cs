using Xunit;

namespace SkillVL.Experiments.Tests;

public sealed class DesignExpanderTests
{
    private static readonly ExperimentLimits Roomy = new(64L << 30);

    private static ExperimentSpec Spec(int seed, int repetitions = 3) => ExperimentSpecParser.Parse(
        $"repetitions: {repetitions}\nseed: {seed}\nfactors: {{ ram: [128Mi, 256Mi], rtt: [1ms, 40ms, 100ms] }}", "t", Roomy);

    [Fact]
    public void Full_CrossesEveryLevel_LastFactorFastest()
    {
        var cells = DesignExpander.Full(new Dictionary<string, List<string>> { ["ram"] = ["128Mi", "256Mi"], ["method"] = ["skillvl", "baseline"] });

        Assert.Equal(
            [("128Mi", "skillvl"), ("128Mi", "baseline"), ("256Mi", "skillvl"), ("256Mi", "baseline")],
            cells.Select(c => (c.Level(Factor.Ram), c.Method)).ToList());
    }

    [Fact]
    public void Order_IsEveryRunOnce()
    {
        var runs = DesignExpander.Order(Spec(1));

        Assert.Equal(18, runs.Count);
        Assert.Equal(18, runs.Select(r => r.RunId).Distinct().Count());
        Assert.All(runs.GroupBy(r => r.Cell.Id), g => Assert.Equal([1, 2, 3], g.Select(r => r.Repetition).Order().ToList()));
    }

    [Fact]
    public void Order_SameSeed_SameOrder_OtherSeed_OtherOrder()
    {
        var a = DesignExpander.Order(Spec(7)).Select(r => r.RunId).ToList();
        var b = DesignExpander.Order(Spec(7)).Select(r => r.RunId).ToList();
        var c = DesignExpander.Order(Spec(8)).Select(r => r.RunId).ToList();
        var unshuffled = Spec(7).Cells.SelectMany(cell => Enumerable.Range(1, 3).Select(r => $"{cell.Id}-r{r}")).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(unshuffled, a);
    }
}
