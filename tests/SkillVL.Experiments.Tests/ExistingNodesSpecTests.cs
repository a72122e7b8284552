using Xunit;

namespace SkillVL.Experiments.Tests;

/// <summary><c>where: nodes</c> (issue 13): what existing nodes are, and what a spec cannot ask of them, each error naming its field.</summary>
public sealed class ExistingNodesSpecTests
{
    private static readonly ExperimentLimits Small = new(1L << 30);

    private const string Where = "where: { nodes: { from: node1, to: laptop1 }, template: tiny }\n";

    [Fact]
    public void Nodes_AreParsed_WithTheStatedLink_AndTheHostsRamIsNotThisHosts()
    {
        // 4 GiB × 2 VMs would not fit this host's 1 GiB (a testbed's limit), but the guests run on the named nodes.
        var spec = ExperimentSpecParser.Parse(Where + "factors: { bandwidth: 1Gbit, rtt: 0.4ms, ram: 4Gi, vms: [1, 2], method: [skillvl, baseline] }", "t", Small);

        Assert.Equal("nodes", spec.Where);
        Assert.Equal(new ExistingNodes("node1", "laptop1", "tiny"), spec.Nodes);
        Assert.Equal(4, spec.Cells.Count);
        Assert.All(spec.Cells, c => Assert.Equal(("1Gbit", "0.4ms"), (c.Level(Factor.Bandwidth), c.Level(Factor.Rtt))));
    }

    [Fact]
    public void TheLink_MayBeStatedInEveryListedCell()
    {
        var spec = ExperimentSpecParser.Parse(Where + "design: list\ncells: [{ bandwidth: 1Gbit, rtt: 1ms, ram: 128Mi }, { bandwidth: 1Gbit, rtt: 1ms, ram: 256Mi }]", "t", Small);

        Assert.Equal(2, spec.Cells.Count);
    }

    [Fact]
    public void Testbed_IsTheDefault_AndSaidSoExplicitly()
    {
        Assert.Null(ExperimentSpecParser.Parse("factors: { ram: 128Mi }", "t", Small).Nodes);
        Assert.Equal("testbed", ExperimentSpecParser.Parse("where: testbed", "t", Small).Where);
    }

    public static TheoryData<string, string> BadSpecs => new()
    {
        { "where: { nodes: { from: node1, to: laptop1 } }\nfactors: { bandwidth: 1Gbit, rtt: 1ms }", "where.template: the name of the Server's template" },
        { "where: { nodes: { from: node1, to: node1 }, template: tiny }\nfactors: { bandwidth: 1Gbit, rtt: 1ms }", "where.nodes.to: \"node1\" is also from" },
        { "where: { nodes: { from: node1 }, template: tiny }\nfactors: { bandwidth: 1Gbit, rtt: 1ms }", "where.nodes.to: a node's name expected" },
        { "where: { nodes: [node1, laptop1], template: tiny }\nfactors: { bandwidth: 1Gbit, rtt: 1ms }", "where.nodes: { from: NODE, to: NODE } expected" },
        { "where: { nodes: { from: a, to: b }, template: tiny, host: x }\nfactors: { bandwidth: 1Gbit, rtt: 1ms }", "where.host: unknown field" },
        { Where + "factors: { rtt: 1ms }", "factors.bandwidth: on existing nodes the runner cannot set the link" },
        { Where + "factors: { bandwidth: 1Gbit }", "factors.rtt: on existing nodes the runner cannot set the link" },
        { Where + "factors: { bandwidth: [1Gbit, 100Mbit], rtt: 1ms }", "factors.bandwidth: one level on existing nodes" },
        { Where + "factors: { bandwidth: 1Gbit, rtt: 1ms, loss: 1% }", "factors.loss: the runner cannot add loss to a real link" },
        { Where + "factors: { bandwidth: 1Gbit, rtt: 1ms, written: 64Mi }", "factors.written: the overlay is written as raw blocks" },
        { Where + "factors: { bandwidth: 1Gbit, rtt: 1ms, disk: [1Gi, 2Gi] }", "factors.disk: one level on existing nodes" },
        { Where + "design: list\nfactors: { bandwidth: 1Gbit, rtt: 1ms }\ncells: [{ rtt: 1ms }, { rtt: 2ms }]", "factors.rtt: one level on existing nodes" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Parse_WhatExistingNodesCannotDo_NamesTheField(string yaml, string expected)
    {
        var e = Assert.Throws<ExperimentSpecException>(() => ExperimentSpecParser.Parse(yaml, "t", Small));

        Assert.Contains(e.Errors, line => line.StartsWith(expected, StringComparison.Ordinal));
    }
}
