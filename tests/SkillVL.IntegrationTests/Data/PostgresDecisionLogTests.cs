using Microsoft.EntityFrameworkCore;
using Npgsql;
using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;
using SkillVL.Server.PlacementControl;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// The stored decision log (ADR 0030, amended 2026-12-07) on a real PostgreSQL, made by this build's migrations: the
/// queries SQLite runs in Server.Tests (a machine's latest row per group, the prune past the bound) as Npgsql translates
/// them, and a second Server — a store on new connections — comparing with what the first stored.
/// </summary>
public sealed class PostgresDecisionLogTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private PostgresCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task SecondServer_DoesNotRepeatTheFirstsDecision_AndTheLogStaysWithinItsBound()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var database = await _cluster!.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(database))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            await DatabaseSchema.MigrateAsync(schema, "decisions", ct);
        }

        var first = Store(database, capacity: 3);
        Assert.Equal(3, (await first.AddAsync([Held("m1", DecisionOutcomes.CodeHysteresis, 0), Held("m2", DecisionOutcomes.CodeHysteresis, 1), Held("m3", DecisionOutcomes.CodeMinStay, 2)], ct)).Count);

        var second = Store(database, capacity: 3);
        var kept = await second.AddAsync([Held("m1", DecisionOutcomes.CodeHysteresis, 3), Held("m2", DecisionOutcomes.CodeWindow, 4)], ct);

        Assert.Equal([Held("m2", DecisionOutcomes.CodeWindow, 4)], kept);
        Assert.Equal([4, 2, 1], (await second.RecentAsync(10, ct)).Select(d => (int)(d.At - Now).TotalMinutes));
        Assert.Equal([Held("m2", DecisionOutcomes.CodeWindow, 4)], await first.RecentAsync(1, ct));
    }

    private static PlacementDecision Held(string machine, string code, int minute) =>
        new(Now.AddMinutes(minute), "lab/" + machine, machine, "node1", "node2", PlacementKinds.Horizontal, DecisionOutcomes.Held, code, "why " + minute);

    private static PlacementDecisionStore Store(string connectionString, int capacity)
    {
        var settings = new SkillVlServerOptions();
        settings.Placement.DecisionLogSize = capacity;
        return new PlacementDecisionStore(
            new Factory(new DbContextOptionsBuilder<SkillVlDbContext>().UseNpgsql(connectionString).Options), Microsoft.Extensions.Options.Options.Create(settings));
    }

    private sealed class Factory(DbContextOptions<SkillVlDbContext> options) : IDbContextFactory<SkillVlDbContext>
    {
        public SkillVlDbContext CreateDbContext() => new(options);
    }
}
