using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Placement;
using SkillVL.Core.Placement.Control;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;
using SkillVL.Server.PlacementControl;

namespace SkillVL.Server.Tests.PlacementControl;

/// <summary>
/// A SQLite file made by this build's migrations (the path a Server's start takes), on which each "Server" of a test gets
/// contexts of its own: a restart is a new store on new connections to the same file, nothing shared in memory.
/// </summary>
internal sealed class DecisionDatabase : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("svl-decisions-").FullName;

    public string File => Path.Combine(_directory, "skillvl.db");

    public string ConnectionString => $"Data Source={File};Pooling=False;Default Timeout=30";

    public static async Task<DecisionDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var database = new DecisionDatabase();
        await using var connection = new SqliteConnection(database.ConnectionString);
        await using var schema = SqliteSchemaContext.On(connection);
        await DatabaseSchema.MigrateAsync(schema, database.File, cancellationToken);
        return database;
    }

    /// <summary>A store as a newly started Server has it: its own context factory, nothing remembered.</summary>
    public PlacementDecisionStore Start(int capacity = 1000)
    {
        var settings = new SkillVlServerOptions();
        settings.Placement.DecisionLogSize = capacity;
        return new PlacementDecisionStore(new Factory(Options()), Microsoft.Extensions.Options.Options.Create(settings));
    }

    public DbContextOptions<SkillVlDbContext> Options() =>
        new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite(ConnectionString).Options;

    public async Task<List<PlacementDecisionEntity>> RowsAsync(CancellationToken cancellationToken)
    {
        await using var db = new SkillVlDbContext(Options());
        return await db.PlacementDecisions.AsNoTracking().OrderBy(d => d.Id).ToListAsync(cancellationToken);
    }

    public static PlacementDecision Held(string machine, string code, int minute, string to = "node2") =>
        new(Now.AddMinutes(minute), "lab/" + machine, machine, "node1", to, PlacementKinds.Horizontal, DecisionOutcomes.Held, code, "why " + minute);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class Factory(DbContextOptions<SkillVlDbContext> options) : IDbContextFactory<SkillVlDbContext>
    {
        public SkillVlDbContext CreateDbContext() => new(options);
    }
}
