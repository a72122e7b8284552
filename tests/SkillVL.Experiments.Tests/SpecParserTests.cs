using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary>Spec errors name their field path, and every problem is reported at once.</summary>
public sealed class SpecParserTests
{
    private static readonly ExperimentLimits Roomy = new(64L << 30);

    public static TheoryData<string, string> BadSpecs => new()
    {
        { "factors: { ram: [128Mi, 256Mi, 8x] }", "factors.ram[2]: \"8x\" is not a size" },
        { "factors: { ramm: [128Mi] }", "factors.ramm: unknown factor" },
        { "factors: { fill: [zeros, gzip] }", "factors.fill[1]: \"gzip\" is not one of zeros, compressible, random" },
        { "factors: { bandwidth: [50] }", "factors.bandwidth[0]: \"50\" is not a rate" },
        { "factors: { bandwidth: 0Mbit }", "factors.bandwidth: \"0Mbit\" is no bandwidth" },
        { "factors: { rtt: [40ms, soon] }", "factors.rtt[1]: \"soon\" is not a duration" },
        { "factors: { vms: [1, 0] }", "factors.vms[1]: \"0\" is not a count of VMs" },
        { "factors: { method: [skillvl, qm] }", "factors.method[1]: \"qm\" is not one of skillvl, baseline" },
        { "factors: { ram: [128Mi, 128Mi] }", "factors.ram[1]: \"128Mi\" is listed twice" },
        { "factors: { disk: [512Mi, 1Gi], written: [100Mi, 600Mi] }", "factors.written[1]: 600Mi written is beyond the disk's 512Mi" },
        { "repetitions: 0", "repetitions: \"0\" is not a whole number from 1 to 1000" },
        { "seed: abc", "seed: \"abc\" is not a whole number" },
        { "design: fractional", "design: \"fractional\" is not full or list" },
        { "where: node1", "where: \"node1\" is not testbed or { nodes: { from: NODE, to: NODE }, template: NAME }" },
        { "colour: red", "colour: unknown field" },
        { "design: list", "cells: a list design needs a non-empty list of cells" },
        { "design: list\ncells: [{ ram: 1Gi, disk: 512Mi, written: 1Gi }]", "cells[0].written: 1Gi written is beyond the disk's 512Mi" },
        { "design: list\ncells: [{ ram: 128Mi }, { rum: 1Gi }]", "cells[1].rum: unknown factor" },
        { "design: list\nfactors: { ram: [128Mi, 256Mi] }\ncells: [{ ram: 128Mi }]", "factors.ram: a list design takes one level per factor" },
        { "factors: [ram]", "factors: a mapping of factor → levels expected" },
        { "factors: { ram: [128Mi", "spec: not valid YAML" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Parse_BadSpec_NamesTheField(string yaml, string expected)
    {
        var e = Assert.Throws<ExperimentSpecException>(() => ExperimentSpecParser.Parse(yaml, "t", Roomy));

        Assert.Contains(e.Errors, error => error.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_RamTheHostCannotHold_NamesTheLevel()
    {
        var e = Assert.Throws<ExperimentSpecException>(() =>
            ExperimentSpecParser.Parse("factors: { ram: [128Mi, 8Gi], vms: [1, 3] }", "t", new ExperimentLimits(4L << 30)));

        var error = Assert.Single(e.Errors.Distinct());
        Assert.StartsWith("factors.ram[1]: 8Gi × 1 VM(s) needs 16896 MiB", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralErrors_AllReported()
    {
        var e = Assert.Throws<ExperimentSpecException>(() =>
            ExperimentSpecParser.Parse("repetitions: -1\nfactors: { ram: [x], tea: [1] }", "t", Roomy));

        Assert.Equal(3, e.Errors.Count);
    }

    [Fact]
    public void Parse_FullDesign_CrossesTheLevelsAndFillsDefaults()
    {
        var spec = ExperimentSpecParser.Parse(
            "name: s\nrepetitions: 3\nseed: 9\nfactors:\n  ram: [128Mi, 256Mi]\n  bandwidth: [20Mbit, 50Mbit, 100Mbit]\n  method: baseline\n", "t", Roomy);

        Assert.Equal(6, spec.Cells.Count);
        Assert.Equal(["ram", "bandwidth"], spec.Varied);
        Assert.All(spec.Cells, c => Assert.Equal("baseline", c.Method));
        Assert.All(spec.Cells, c => Assert.Equal("256Mi", c.Level(Factor.Disk)));
        Assert.Equal(6, spec.Cells.Select(c => c.Id).Distinct().Count());
        Assert.Equal((3, 9, "s"), (spec.Repetitions, spec.Seed, spec.Name));
    }

    [Fact]
    public void Parse_ListDesign_TakesTheCellsWithTheCommonLevels()
    {
        var spec = ExperimentSpecParser.Parse(
            "design: list\nfactors: { rtt: 40ms }\ncells:\n  - { ram: 128Mi }\n  - { ram: 256Mi, method: baseline }\n", "t", Roomy);

        Assert.Equal(2, spec.Cells.Count);
        Assert.All(spec.Cells, c => Assert.Equal(TimeSpan.FromMilliseconds(40), c.Rtt));
        Assert.Equal(["ram", "method"], spec.Varied);
    }

    [Fact]
    public void Parse_ExampleSpec_IsValid()
    {
        var path = Path.Combine(RepoRoot(), "experiments", "example.yaml");

        var spec = ExperimentSpecParser.Parse(File.ReadAllText(path), "example", Roomy);

        Assert.NotEmpty(spec.Cells);
    }

    [Fact]
    public void CellId_DependsOnTheLevelsNotThePosition()
    {
        var a = ExperimentSpecParser.Parse("factors: { ram: [128Mi, 256Mi] }", "t", Roomy);
        var b = ExperimentSpecParser.Parse("factors: { ram: [256Mi, 512Mi] }", "t", Roomy);

        Assert.Equal(a.Cells[1].Id, b.Cells[0].Id);
        Assert.NotEqual(a.Cells[0].Id, b.Cells[1].Id);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SkillVL.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
