using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.PlacementControl;
using Xunit;

namespace SkillVL.IntegrationTests.Placement;

/// <summary>
/// The placement controller's decision log survives a restart of a real Server (ADR 0030, amended 2026-12-07), on SQLite or,
/// with <c>SKILLVL_TEST_DATABASE=postgres</c>, PostgreSQL: the route and the CLI show what was decided before, the
/// restarted controller does not log an unchanged decision again, and a decision about a machine that no longer exists
/// stays (history).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class DecisionLogRestartTests
{
    // Whole seconds: the database keeps time to 100 µs, and the test compares what comes back.
    private static readonly DateTimeOffset Then = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task DecisionLog_AfterARestart_IsServedAndStillDeduplicated()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        await using var server = await ServerHarness.StartAsync();
        // Decisions as the controller writes them, about a machine that does not exist (any more): no machine row is needed.
        await Store(server).AddAsync([Held("m-gone", DecisionOutcomes.CodeHysteresis, 0), Held("m-gone", DecisionOutcomes.CodeMinStay, 1)], ct);

        await server.RestartAsync();

        var log = (await server.Client.GetFromJsonAsync<List<PlacementDecision>>(ApiPaths.PlacementDecisions, ServerHarness.Json, ct))!;
        Assert.Equal([Held("m-gone", DecisionOutcomes.CodeMinStay, 1), Held("m-gone", DecisionOutcomes.CodeHysteresis, 0)], log);
        Assert.Empty(await Store(server).AddAsync([Held("m-gone", DecisionOutcomes.CodeMinStay, 2)], ct));
        var cli = await server.CliAsync("placement", "decisions", "--limit", "1");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains("lab/gone", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("held 1", cli.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("held 0", cli.Stdout, StringComparison.Ordinal);
    }

    private static PlacementDecisionStore Store(ServerHarness server) => server.App.Services.GetRequiredService<PlacementDecisionStore>();

    private static PlacementDecision Held(string machine, string code, int minute) =>
        new(Then.AddMinutes(minute), "lab/gone", machine, "node1", "node2", PlacementKinds.Horizontal, DecisionOutcomes.Held, code, "held " + minute);
}
