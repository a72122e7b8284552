using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Placement;

/// <summary>
/// The placement advisor's tables (ADR 0027): bob's 2 GiB machine "lab/box" on server node1; another server node2;
/// bob's computer laptop-bob and carol's laptop-carol. Links by the migration tables' classes; bob's console round trip
/// to the servers is measured where a row says so.
/// </summary>
public sealed class PlacementAdvisorTests
{
    private const string Bob = "id-bob";

    [Theory]
    // source CPU, console to node1 (ms, 0 = not measured), link node1 → laptop, dirty MiB/s, expected: recommended?, reason part
    [InlineData(0.3, 120, "dsl", 1, true, "console round trip would go from 120 ms to 1 ms")]
    [InlineData(0.3, 40, "dsl", 1, null, null)] // a 39 ms gain is under 50 ms: no motive, absent
    [InlineData(0.3, 0, "dsl", 1, null, null)] // not measured: no gain claimed, absent
    [InlineData(0.9, 0, "dsl", 1, true, "node1 is hot (90 % CPU)")]
    [InlineData(0.3, 120, "mobile", 1, false, "the link (10 Mbit/s) is slower than 20 Mbit/s")]
    [InlineData(0.3, 120, "dsl", 20, false, "would not converge")] // big dirty rate on a slow link
    public void Advise_ToOwnersClient_ByConsoleGainLoadAndLink(
        double sourceCpu, int consoleMs, string link, double dirty, bool? recommended, string? reason)
    {
        var input = Input(
            [Server("node1", sourceCpu), Server("node2", 0.85), Client("laptop-bob", Bob, 0.1), Client("laptop-carol", "id-carol", 0)],
            [Box(dirty)],
            links: (from, to) => to.StartsWith("laptop", StringComparison.Ordinal) ? Links[link] : Links["campus"],
            console: (user, node) => user == Bob && node == "node1" && consoleMs > 0 ? Ms(consoleMs) : null);

        var advice = PlacementAdvisor.Advise(input, new PlacementCriteria());

        Assert.DoesNotContain(advice, a => a.To == "laptop-carol"); // another user's computer is never named
        var toLaptop = advice.SingleOrDefault(a => a.To == "laptop-bob");
        Assert.Equal(recommended, toLaptop?.Recommended);
        if (toLaptop is not null)
        {
            Assert.Contains(reason!, toLaptop.Reason, StringComparison.Ordinal);
            Assert.Equal(PlacementKinds.VerticalToClient, toLaptop.Kind);
            Assert.Equal(("lab/box", "node1"), (toLaptop.Machine, toLaptop.From));
        }
    }

    [Fact]
    public void Advise_Recommended_CarriesTheModelsCostAndTheConsoleGain()
    {
        var input = Input([Server("node1", 0.3), Client("laptop-bob", Bob, 0.1)], [Box()],
            links: (_, _) => Links["dsl"], console: (_, node) => node == "node1" ? Ms(120) : null);

        var advice = Assert.Single(PlacementAdvisor.Advise(input, new PlacementCriteria()));

        var expected = MigrationPolicy.Plan(Links["dsl"], Vm(), new MigrationLimits(), MigrationFeatures.Qemu72).Prediction;
        Assert.True(advice.Recommended, advice.Reason);
        Assert.Equal((Ms(120), Ms(1)), (advice.ConsoleBefore, advice.ConsoleAfter));
        Assert.Equal((expected.TotalTime, expected.Downtime, expected.TotalBytes), (advice.PredictedTime, advice.PredictedDowntime, advice.PredictedBytes));
        Assert.Contains("pausing the guest about", advice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    // node1 CPU, node2 CPU, node2 free GiB, pinned?, session left (min, 0 = unknown), expected recommended?, reason part
    [InlineData(0.95, 0.2, 8, false, 0, true, "node1 is hot (95 % CPU)")]
    [InlineData(0.5, 0.2, 8, false, 0, null, null)] // not hot: no motive, absent
    [InlineData(0.95, 0.85, 8, false, 0, false, "node2 is busy too (85 % CPU)")]
    [InlineData(0.95, 0.8, 8, false, 0, false, "node2 is busy too")]
    [InlineData(0.85, 0.7, 8, false, 0, false, "moving relieves too little")] // 15 points apart, under the 20 of WorthMoving
    [InlineData(0.95, 0.2, 1, false, 0, false, "the target has 1 GiB free, the VM needs 2 GiB")]
    [InlineData(0.95, 0.2, 8, true, 0, false, "the room pins it to node node1 (node: node1), and the room's pin wins over the advisor")]
    [InlineData(0.95, 0.2, 8, false, 10, false, "only 10 min of the session is left")] // short session left
    [InlineData(0.95, 0.2, 8, false, 600, true, "hot")]
    public void Advise_HorizontalOffAHotServer_ByLoadRoomPinAndSessionLeft(
        double node1Cpu, double node2Cpu, int node2FreeGiB, bool pinned, int sessionMinutes, bool? recommended, string? reason)
    {
        var box = Box() with
        {
            PinnedNode = pinned ? "node1" : null,
            SessionLeft = sessionMinutes > 0 ? TimeSpan.FromMinutes(sessionMinutes) : null,
        };
        var input = Input([Server("node1", node1Cpu), Server("node2", node2Cpu, node2FreeGiB * GiB)], [box], links: (_, _) => Links["wan"]);

        var advice = PlacementAdvisor.Advise(input, new PlacementCriteria());

        Assert.Equal(recommended, advice.SingleOrDefault()?.Recommended);
        if (recommended is not null)
        {
            var only = advice.Single();
            Assert.Contains(reason!, only.Reason, StringComparison.Ordinal);
            Assert.Equal((PlacementKinds.Horizontal, "node2"), (only.Kind, only.To));
        }
    }

    [Theory]
    // departs in (s), link, expected recommended?, reason part
    [InlineData(600, "campus", true, "laptop-bob leaves in 10 min")]
    [InlineData(5, "campus", false, "but the move takes about")] // the move cannot finish before it goes
    [InlineData(600, "mobile", false, "slower than 20 Mbit/s")]
    public void Advise_ClientLeaving_BackToAServer(int departsInSeconds, string link, bool recommended, string reason)
    {
        var laptop = Client("laptop-bob", Bob, 0.1) with { DepartsIn = TimeSpan.FromSeconds(departsInSeconds) };
        var input = Input([laptop, Server("node1", 0.5), Server("node2", 0.9)], [Box() with { Node = "laptop-bob" }], links: (_, _) => Links[link]);

        var advice = PlacementAdvisor.Advise(input, new PlacementCriteria());

        var toNode1 = advice.Single(a => a.To == "node1");
        Assert.Equal((recommended, PlacementKinds.VerticalToServer), (toNode1.Recommended, toNode1.Kind));
        Assert.Contains(reason, toNode1.Reason, StringComparison.Ordinal);
        Assert.True(toNode1.ForDeparture); // the controller acts on it without waiting (ADR 0063)
        if (recommended)
        {
            Assert.Single(advice); // one recommendation per machine: node2 (hot) is not listed beside it
        }
        else
        {
            Assert.Contains(advice, a => a.To == "node2" && a.Reason.Contains("node2 is busy too", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(false, false, "laptop-bob is not connected")]
    [InlineData(true, true, "laptop-bob is drained")]
    public void Advise_TargetNotReady_NotRecommended(bool online, bool drained, string reason)
    {
        var input = Input([Server("node1", 0.3), Client("laptop-bob", Bob, 0) with { Online = online, Drained = drained }], [Box()],
            links: (_, _) => Links["dsl"], console: (_, node) => node == "node1" ? Ms(200) : null);

        var advice = Assert.Single(PlacementAdvisor.Advise(input, new PlacementCriteria()));

        Assert.False(advice.Recommended);
        Assert.Contains(reason, advice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Advise_ToAClientThatIsLeaving_NotRecommended()
    {
        var input = Input([Server("node1", 0.95), Client("laptop-bob", Bob, 0) with { DepartsIn = TimeSpan.FromMinutes(5) }], [Box()],
            links: (_, _) => Links["campus"]);

        var advice = Assert.Single(PlacementAdvisor.Advise(input, new PlacementCriteria()));

        Assert.False(advice.Recommended);
        Assert.Contains("laptop-bob is leaving in 5 min", advice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Advise_SourceOffline_OrUnknownLink_NothingOrSaidSo()
    {
        var offline = Input([Server("node1", 0.95) with { Online = false }, Server("node2", 0.1)], [Box()], links: (_, _) => Links["lan"]);
        var unknown = Input([Server("node1", 0.95), Server("node2", 0.1)], [Box()], links: (_, _) => null);

        Assert.Empty(PlacementAdvisor.Advise(offline, new PlacementCriteria()));
        var advice = Assert.Single(PlacementAdvisor.Advise(unknown, new PlacementCriteria()));
        Assert.Contains("no link between node1 and node2 is known", advice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Advise_Ranking_LeavingBeforeHotBeforeConsole_AndBestTargetOnly()
    {
        var laptopAlice = Client("laptop-alice", "id-alice", 0.1) with { DepartsIn = TimeSpan.FromHours(1) };
        var input = Input(
            [Server("node1", 0.9), Server("node2", 0.1), Server("node3", 0.4), Client("laptop-bob", Bob, 0.15), laptopAlice, Server("edge", 0.2)],
            [
                Box() with { Machine = "lab/console", MachineId = "m3", Node = "node3" },
                Box() with { Machine = "lab/hot", MachineId = "m1" },
                Box() with { Machine = "lab/leaving", MachineId = "m2", OwnerId = "id-alice", Node = "laptop-alice" },
            ],
            links: (_, _) => Links["campus"],
            console: (user, node) => user == Bob && node == "node3" ? Ms(150) : null);

        var advice = PlacementAdvisor.Advise(input, new PlacementCriteria());

        Assert.Equal(["lab/leaving", "lab/hot", "lab/console"], advice.Select(a => a.Machine));
        Assert.All(advice, a => Assert.True(a.Recommended, a.Reason));
        Assert.Equal("node2", advice[0].To); // the idlest server
        Assert.Equal("node2", advice[1].To); // the most relief: 80 points
        Assert.Equal("laptop-bob", advice[2].To);
    }

    private static PlacementCandidate Box(double dirtyMiBPerSecond = 1) =>
        new("lab/box", "m1", Bob, "node1", Vm(dirtyMiBPerSecond));

    private static PlacementNode Server(string name, double cpu, long free = 16 * GiB) => new(name, "server", true, false, null, cpu, free);

    private static PlacementNode Client(string name, string owner, double cpu) => new(name, "client", true, false, owner, cpu, 8 * GiB);

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    private static PlacementInput Input(
        PlacementNode[] nodes, PlacementCandidate[] candidates, Func<string, string, LinkMeasurement?> links,
        Func<string, string, TimeSpan?>? console = null) =>
        new(nodes, candidates, links, console ?? ((_, _) => null));
}
