using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using Xunit;

namespace SkillVL.Core.Tests.Placement.Control;

/// <summary>
/// The controller's tables (ADR 0030): machine "lab/box" (id m1) on node1, the advisor recommending node2 or not, one
/// evaluation a minute from 10:00 UTC. Defaults: hysteresis 3 evaluations, minimum stay 10 minutes, one move per node and
/// per link at once.
/// </summary>
public sealed class PlacementControllerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FlipFlop_IsNeverActedOn_ASteadyRecommendation_OnceAfterTheHysteresis()
    {
        var controller = new PlacementController();
        var machines = Machines(Policy(PlacementModes.Auto));
        var outcomes = new List<string>();
        // Recommended, not, recommended, not, …: the count starts again each time.
        for (var i = 0; i < 6; i++)
        {
            var advice = i % 2 == 0 ? [Recommend("node1", "node2")] : Array.Empty<PlacementRecommendation>();
            outcomes.AddRange(controller.Evaluate(T0.AddMinutes(i), advice, machines, []).Select(d => d.Code));
        }

        Assert.Equal([DecisionOutcomes.CodeHysteresis, DecisionOutcomes.CodeHysteresis, DecisionOutcomes.CodeHysteresis], outcomes);

        // Three in a row: the third acts, and only the third.
        var steady = Enumerable.Range(6, 3)
            .Select(i => controller.Evaluate(T0.AddMinutes(i), [Recommend("node1", "node2")], machines, []).Single())
            .ToList();
        Assert.Equal([DecisionOutcomes.Held, DecisionOutcomes.Held, DecisionOutcomes.Acted], steady.Select(d => d.Outcome));
        Assert.Contains("recommended 2 of the 3 evaluations", steady[1].Reason, StringComparison.Ordinal);
        Assert.Contains("moving (policy auto, set on the course)", steady[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterAMove_TheWayBack_IsHeldForTheMinimumStay_SoAFlipIsAtMostOneMove()
    {
        var controller = new PlacementController();
        var moved = T0;
        var acted = 0;
        // After the move at 10:00 the advisor flips: back to node1, then to node2 again, each recommended for 15 minutes
        // in a row, an evaluation a minute; each act counts as a move that ends at once.
        for (var i = 1; i < 30; i++)
        {
            var machines = Machines(Policy(PlacementModes.Auto), lastMoved: moved);
            var advice = i <= 15 ? Recommend("node2", "node1") : Recommend("node1", "node2");
            var decision = controller.Evaluate(T0.AddMinutes(i), [advice], machines, []).Single();
            if (decision.Outcome == DecisionOutcomes.Acted)
            {
                acted++;
                Assert.True(T0.AddMinutes(i) >= moved.AddMinutes(10), $"moved at +{i} min, before the 10 min stay after {moved:HH:mm} ended");
                moved = T0.AddMinutes(i);
            }
            else if (i >= 3 && acted == 0)
            {
                Assert.Equal(DecisionOutcomes.CodeMinStay, decision.Code);
                Assert.Contains("stays at least until 2026-12-07T10:10:00Z", decision.Reason, StringComparison.Ordinal);
            }
        }

        // Two moves in these 29 minutes (10:10 and 10:20): at most one in any 10 minutes, the stay.
        Assert.Equal(2, acted);
        Assert.Equal(T0.AddMinutes(20), moved);
    }

    [Theory]
    // mode, pinned, in a window → outcome, code
    [InlineData(PlacementModes.Off, false, false, DecisionOutcomes.Off, DecisionOutcomes.CodeOff)]
    [InlineData(PlacementModes.Suggest, false, false, DecisionOutcomes.Suggested, DecisionOutcomes.CodeSuggest)]
    [InlineData(PlacementModes.Auto, false, false, DecisionOutcomes.Acted, DecisionOutcomes.CodeAuto)]
    [InlineData(PlacementModes.Auto, true, false, DecisionOutcomes.Held, DecisionOutcomes.CodePinned)]
    [InlineData(PlacementModes.Suggest, true, false, DecisionOutcomes.Held, DecisionOutcomes.CodePinned)]
    [InlineData(PlacementModes.Auto, false, true, DecisionOutcomes.Held, DecisionOutcomes.CodeWindow)]
    [InlineData(PlacementModes.Suggest, false, true, DecisionOutcomes.Held, DecisionOutcomes.CodeWindow)]
    [InlineData(PlacementModes.Off, true, true, DecisionOutcomes.Off, DecisionOutcomes.CodeOff)]
    public void Evaluate_AppliesModePinAndWindow(string mode, bool pinned, bool inWindow, string outcome, string code)
    {
        var window = inWindow ? new QuietWindow(T0.AddHours(-1), T0.AddHours(2)) : new QuietWindow(T0.AddHours(1), T0.AddHours(2));
        var policy = Policy(mode, hysteresis: 1) with { Windows = [window] };
        var machines = new Dictionary<string, ControlledMachine> { ["m1"] = new("m1", pinned ? "node1" : null, policy, null) };
        // The advisor stops at a pin: a pinned machine's advice is "not recommended" with the pin as the reason.
        var advice = pinned ? Recommend("node1", "node2") with { Recommended = false } : Recommend("node1", "node2");

        var decision = new PlacementController().Evaluate(T0, [advice], machines, []).Single();

        Assert.Equal((outcome, code), (decision.Outcome, decision.Code));
        if (code == DecisionOutcomes.CodePinned)
        {
            Assert.Contains("the room pins it to node1 (node: wins over the advisor)", decision.Reason, StringComparison.Ordinal);
        }
        else if (code == DecisionOutcomes.CodeWindow)
        {
            Assert.Contains("nothing moves until 2026-12-07T12:00:00Z", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AdviceThatDoesNotPay_ForAnUnpinnedMachine_IsNotDecidedOn()
    {
        var decisions = new PlacementController().Evaluate(
            T0, [Recommend("node1", "node2") with { Recommended = false }], Machines(Policy(PlacementModes.Auto, hysteresis: 1)), []);

        Assert.Empty(decisions);
    }

    [Theory]
    // moves under way (from>to, …), per node, per link, machines wanting node1>node2 (m1) and node3>node2 (m2) → codes of m1, m2
    [InlineData("", 1, 1, "auto,node-limit")] // m1 takes node2's one slot; m2 waits
    [InlineData("", 2, 1, "auto,auto")]
    [InlineData("node1>node4", 1, 1, "node-limit,auto")] // node1 busy already
    [InlineData("node2>node1", 2, 1, "link-limit,auto")] // the link counts both directions
    [InlineData("node2>node1", 2, 2, "auto,node-limit")]
    [InlineData("", 0, 1, "node-limit,node-limit")] // 0: no automatic moves at all
    public void Evaluate_KeepsTheLimitsOfMovesPerNodeAndLink(string underWay, int perNode, int perLink, string codes)
    {
        var policy = Policy(PlacementModes.Auto, hysteresis: 1) with { MaxMovesPerNode = perNode, MaxMovesPerLink = perLink };
        var machines = new Dictionary<string, ControlledMachine>
        {
            ["m1"] = new("m1", null, policy, null),
            ["m2"] = new("m2", null, policy, null),
        };
        var moves = underWay.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(m => m.Split('>')).Select(p => new MoveUnderWay(p[0], p[1])).ToList();

        var decisions = new PlacementController().Evaluate(
            T0, [Recommend("node1", "node2"), Recommend("node3", "node2", "m2")], machines, moves);

        Assert.Equal(codes, string.Join(',', decisions.Select(d => d.Code)));
    }

    [Theory]
    // An announced departure (ADR 0063): mode, pinned, in a window, moved a minute ago, under way on the client → code.
    // Acted on the first evaluation, under suggest as under auto, inside the minimum stay; off, a pin, a window and the
    // limits still hold.
    [InlineData(PlacementModes.Suggest, false, false, false, false, DecisionOutcomes.CodeDeparture)]
    [InlineData(PlacementModes.Auto, false, false, false, false, DecisionOutcomes.CodeDeparture)]
    [InlineData(PlacementModes.Suggest, false, false, true, false, DecisionOutcomes.CodeDeparture)]
    [InlineData(PlacementModes.Off, false, false, false, false, DecisionOutcomes.CodeOff)]
    [InlineData(PlacementModes.Suggest, true, false, false, false, DecisionOutcomes.CodePinned)]
    [InlineData(PlacementModes.Auto, false, true, false, false, DecisionOutcomes.CodeWindow)]
    [InlineData(PlacementModes.Suggest, false, false, false, true, DecisionOutcomes.CodeNodeLimit)]
    public void Evaluate_ADeparture_MovesAtOnceUnlessOffPinnedQuietOrAtTheLimit(
        string mode, bool pinned, bool inWindow, bool movedJustNow, bool busy, string code)
    {
        var window = inWindow ? new QuietWindow(T0.AddHours(-1), T0.AddHours(2)) : new QuietWindow(T0.AddHours(1), T0.AddHours(2));
        var policy = Policy(mode) with { Windows = [window] };
        var machines = new Dictionary<string, ControlledMachine>
        {
            ["m1"] = new("m1", pinned ? "laptop" : null, policy, movedJustNow ? T0.AddMinutes(-1) : null),
        };
        var leaving = Recommend("laptop", "node1") with
        {
            Kind = PlacementKinds.VerticalToServer, Recommended = !pinned, ForDeparture = true,
            Reason = "laptop leaves in 2 min, so its machines go back to a server before it goes",
        };

        var decision = new PlacementController().Evaluate(T0, [leaving], machines, busy ? [new MoveUnderWay("laptop", "node2")] : []).Single();

        Assert.Equal(code, decision.Code);
        Assert.Equal(code == DecisionOutcomes.CodeDeparture ? DecisionOutcomes.Acted : code == DecisionOutcomes.CodeOff ? DecisionOutcomes.Off : DecisionOutcomes.Held, decision.Outcome);
        if (code == DecisionOutcomes.CodeDeparture)
        {
            Assert.Contains($"its client announced its departure, which moves it under {mode}", decision.Reason, StringComparison.Ordinal);
            Assert.Contains("laptop leaves in 2 min", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Forget_StartsTheCountAgain()
    {
        var controller = new PlacementController();
        var machines = Machines(Policy(PlacementModes.Suggest, hysteresis: 2));
        controller.Evaluate(T0, [Recommend("node1", "node2")], machines, []);
        controller.Forget("m1");

        var decision = controller.Evaluate(T0.AddMinutes(1), [Recommend("node1", "node2")], machines, []).Single();

        Assert.Equal(DecisionOutcomes.CodeHysteresis, decision.Code);
    }

    internal static EffectivePlacementPolicy Policy(string mode, int hysteresis = 3) =>
        new(mode, PlacementScopes.Course, hysteresis, TimeSpan.FromMinutes(10), 1, 1, []);

    private static Dictionary<string, ControlledMachine> Machines(EffectivePlacementPolicy policy, DateTimeOffset? lastMoved = null) =>
        new() { ["m1"] = new("m1", null, policy, lastMoved) };

    private static PlacementRecommendation Recommend(string from, string to, string machineId = "m1") =>
        new("lab/" + machineId, machineId, from, to, PlacementKinds.Horizontal, true, $"{from} is hot (90 % CPU)");
}
