using SkillVL.Core.Placement.Control;
using Xunit;

namespace SkillVL.Core.Tests.Placement.Control;

/// <summary>Resolving the policy of a machine from its scopes, and what a policy may say (ADR 0030).</summary>
public sealed class PlacementPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly PlacementPolicy Defaults = new(PlacementModes.Suggest, 3, 600, 1, 1, []);

    [Fact]
    public void Resolve_MostSpecificFieldWins_WindowsOfEveryScopeHold_LimitsOnlyGlobal()
    {
        var exam = new QuietWindow(Now, Now.AddHours(2));
        var lunch = new QuietWindow(Now.AddHours(3), Now.AddHours(4));
        var scopes = new Dictionary<string, PlacementPolicy>
        {
            [PlacementScopes.Global] = new(PlacementModes.Auto, MaxMovesPerNode: 2),
            [PlacementScopes.Course] = new(PlacementModes.Auto, HysteresisEvaluations: 5, Windows: [exam]),
            [PlacementScopes.User] = new(PlacementModes.Off, Windows: [lunch], MaxMovesPerLink: 9),
            [PlacementScopes.Room] = new(MinStaySeconds: 60),
        };

        var policy = EffectivePlacementPolicy.Resolve(scopes, Defaults);

        Assert.Equal((PlacementModes.Off, PlacementScopes.User, 5, TimeSpan.FromSeconds(60)), (policy.Mode, policy.ModeFrom, policy.HysteresisEvaluations, policy.MinStay));
        Assert.Equal((2, 1), (policy.MaxMovesPerNode, policy.MaxMovesPerLink)); // the user's 9 is not a global limit
        Assert.Equal([exam, lunch], policy.Windows.OrderBy(w => w.From));
    }

    [Fact]
    public void Resolve_NothingSet_IsTheDefaults()
    {
        var policy = EffectivePlacementPolicy.Resolve(new Dictionary<string, PlacementPolicy>(), Defaults);

        Assert.Equal((PlacementModes.Suggest, "default", 3, TimeSpan.FromMinutes(10), 1, 1), (policy.Mode, policy.ModeFrom, policy.HysteresisEvaluations, policy.MinStay, policy.MaxMovesPerNode, policy.MaxMovesPerLink));
    }

    [Theory]
    [InlineData("global", false, "sometimes", null, null, null, "mode")]
    [InlineData("user", true, "auto", null, null, null, "mode")] // a student may keep his machines still, not have them moved
    [InlineData("user", true, "off", 2, null, null, "hysteresisEvaluations")]
    [InlineData("course", false, "auto", 0, null, null, "hysteresisEvaluations")]
    [InlineData("course", false, "auto", null, -1, null, "minStaySeconds")]
    [InlineData("course", false, "auto", null, null, 2, "maxMovesPerNode")] // limits are global
    [InlineData("global", false, "auto", null, null, 101, "maxMovesPerNode")]
    [InlineData("user", true, "suggest", null, null, null, null)]
    [InlineData("global", false, "auto", 5, 0, 3, null)]
    public void Validate_NamesTheField(string scope, bool self, string mode, int? hysteresis, int? stay, int? perNode, string? field)
    {
        var errors = PlacementPolicyRules.Validate(new PlacementPolicy(mode, hysteresis, stay, perNode), scope, self, Now);

        Assert.Equal(field, errors.SingleOrDefault()?.Field);
    }

    [Theory]
    [InlineData(60, 0, "never opens: its end 2026-12-07T10:00:00Z is not after its start 2026-12-07T11:00:00Z")]
    [InlineData(60, 60, "never opens: its end 2026-12-07T11:00:00Z is not after its start 2026-12-07T11:00:00Z")]
    [InlineData(-120, -60, "never opens: it ended at 2026-12-07T09:00:00Z, before now (2026-12-07T10:00:00Z)")]
    [InlineData(-60, 60, null)] // open now
    public void Validate_AWindowThatNeverOpens_IsRefused(int fromMinutes, int toMinutes, string? message)
    {
        var window = new QuietWindow(Now.AddMinutes(fromMinutes), Now.AddMinutes(toMinutes));
        var errors = PlacementPolicyRules.Validate(new PlacementPolicy(Windows: [new QuietWindow(Now, Now.AddHours(1)), window]), "course", false, Now);

        Assert.Equal(message, errors.SingleOrDefault()?.Message);
        Assert.All(errors, e => Assert.Equal("windows[1]", e.Field));
    }

    [Fact]
    public void DecisionLog_KeepsChangesAndActs_ComparedWithTheStoredPreviousAndEarlierInTheBatch()
    {
        PlacementDecision Held(string machine, string code, int minute) =>
            new(Now.AddMinutes(minute), "lab/" + machine, machine, "node1", "node2", "horizontal", DecisionOutcomes.Held, code, "why");
        var stored = new Dictionary<string, PlacementDecision>(StringComparer.Ordinal) { ["m1"] = Held("m1", DecisionOutcomes.CodeHysteresis, 0) };
        var acted = Held("m1", DecisionOutcomes.CodeAuto, 5) with { Outcome = DecisionOutcomes.Acted };

        var kept = DecisionLog.Kept(stored, [
            Held("m1", DecisionOutcomes.CodeHysteresis, 1), // repeats the stored one: not kept
            Held("m1", DecisionOutcomes.CodeMinStay, 2),
            Held("m2", DecisionOutcomes.CodeHysteresis, 3), // no previous: kept
            Held("m2", DecisionOutcomes.CodeHysteresis, 4), // repeats the one just kept in this batch
            Held("m1", DecisionOutcomes.CodeHysteresis, 4), // differs from min-stay, the latest kept
            acted,
            acted with { At = Now.AddMinutes(6) }, // acting is always kept
        ]);

        Assert.Equal([2, 3, 4, 5, 6], kept.Select(d => (int)(d.At - Now).TotalMinutes));
        Assert.False(DecisionLog.Keeps(stored["m1"], Held("m1", DecisionOutcomes.CodeHysteresis, 9)));
        Assert.True(DecisionLog.Keeps(stored["m1"], Held("m1", DecisionOutcomes.CodeHysteresis, 9) with { To = "node3" }));
    }
}
