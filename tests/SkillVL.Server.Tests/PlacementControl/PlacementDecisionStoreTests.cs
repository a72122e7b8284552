using SkillVL.Core.Placement.Control;
using static SkillVL.Server.Tests.PlacementControl.DecisionDatabase;

namespace SkillVL.Server.Tests.PlacementControl;

/// <summary>
/// The decision log in the database (ADR 0030, amended 2026-12-07): a Server restart no longer forgets why machines were
/// (not) moved, a decision repeating the machine's previous one is still not kept — also when that previous one was
/// written before the restart — and the table stays within DecisionLogSize.
/// </summary>
public sealed class PlacementDecisionStoreTests
{
    [Fact]
    public async Task Repeat_AfterARestart_IsNotKept_BecauseThePreviousComesFromTheStoredRows()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var database = await CreateAsync(ct);
        var before = database.Start();
        Assert.Equal(2, (await before.AddAsync([Held("m1", DecisionOutcomes.CodeHysteresis, 0), Held("m2", DecisionOutcomes.CodeMinStay, 0)], ct)).Count);

        // A new Server on the same file: nothing of the first is in memory.
        var after = database.Start();
        Assert.Empty(await after.AddAsync([Held("m1", DecisionOutcomes.CodeHysteresis, 1), Held("m2", DecisionOutcomes.CodeMinStay, 1)], ct));
        var changed = await after.AddAsync([
            Held("m1", DecisionOutcomes.CodeHysteresis, 2, to: "node3"), // another target
            Held("m2", DecisionOutcomes.CodeMinStay, 2),                  // still a repeat
            Held("m2", DecisionOutcomes.CodeAuto, 2) with { Outcome = DecisionOutcomes.Acted, MigrationId = "mig1" },
        ], ct);

        Assert.Equal(["m1", "m2"], changed.Select(d => d.MachineId));
        var rows = await database.RowsAsync(ct);
        Assert.Equal([("m1", 0), ("m2", 0), ("m1", 2), ("m2", 2)], rows.Select(r => (r.MachineId, (int)(r.At - Now).TotalMinutes)));
        // Every field as decided; there is no machine row at all: a decision does not depend on its machine still existing.
        Assert.Equal(changed[1], rows[^1].ToDecision());
        Assert.Equal([.. changed.Reverse(), Held("m2", DecisionOutcomes.CodeMinStay, 0), Held("m1", DecisionOutcomes.CodeHysteresis, 0)],
            await database.Start().RecentAsync(10, ct));
    }

    [Fact]
    public async Task AtTheBound_TheOldestArePruned_InTheSameWrite()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        using var database = await CreateAsync(ct);
        var store = database.Start(capacity: 3);

        await store.AddAsync([Held("m1", DecisionOutcomes.CodeHysteresis, 0), Held("m2", DecisionOutcomes.CodeHysteresis, 1)], ct);
        await store.AddAsync([Held("m3", DecisionOutcomes.CodeHysteresis, 2), Held("m4", DecisionOutcomes.CodeHysteresis, 3)], ct);
        Assert.Equal([1, 2, 3], (await database.RowsAsync(ct)).Select(r => (int)(r.At - Now).TotalMinutes));

        // A batch larger than the bound leaves its newest.
        await store.AddAsync([.. Enumerable.Range(10, 5).Select(m => Held("m" + m, DecisionOutcomes.CodeHysteresis, m))], ct);
        Assert.Equal([12, 13, 14], (await database.RowsAsync(ct)).Select(r => (int)(r.At - Now).TotalMinutes));
        Assert.Equal([14, 13, 12], (await store.RecentAsync(100, ct)).Select(d => (int)(d.At - Now).TotalMinutes));

        // Restarted with a smaller bound: the next write prunes to it.
        var smaller = database.Start(capacity: 2);
        await smaller.AddAsync([Held("m20", DecisionOutcomes.CodeHysteresis, 20)], ct);
        Assert.Equal([14, 20], (await database.RowsAsync(ct)).Select(r => (int)(r.At - Now).TotalMinutes));
    }
}
