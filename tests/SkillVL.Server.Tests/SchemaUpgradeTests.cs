using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Tests;

/// <summary>Issue 12: a version-5 database is upgraded in place to 6, 7 (check-outs), 8 (leases, fenced copies) and 9 (placement
/// policies, issue 14),
/// keeping its rows; other versions stay refused.</summary>
public sealed class SchemaUpgradeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skillvl-schema-").FullName;

    [Fact]
    public async Task Upgrade_FromVersion5_KeepsRows_AndMatchesAFreshSchema()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var fresh = Path.Combine(_directory, "fresh.db");
        await CreateAsync(fresh, ct);
        var old = Path.Combine(_directory, "v5.db");
        await CreateVersion5Async(old, ct);

        await using (var connection = new SqliteConnection($"Data Source={old};Pooling=False"))
        {
            await connection.OpenAsync(ct);
            Assert.Equal(5, await ScalarAsync(connection, "PRAGMA user_version;", ct));
            await SchemaUpgrade.RunAsync(connection, 5, StartupService.SchemaVersion, ct);
            Assert.Equal(StartupService.SchemaVersion, await ScalarAsync(connection, "PRAGMA user_version;", ct));
            foreach (var table in new[] { "Nodes", "JoinTokens", "Courses", "Users", "Machines", "Migrations", "FencedCopies", "PlacementPolicies" })
            {
                Assert.Equal(await ColumnsAsync(fresh, table, ct), await ColumnsAsync(connection, table, ct));
            }
        }

        await using var db = Open(old);
        var node = await db.Nodes.SingleAsync(ct);
        Assert.Equal(("node1", "server", "hash-node1", (string?)null), (node.Name, node.Kind, node.CredentialHash, node.OwnerId));
        var token = await db.JoinTokens.SingleAsync(ct);
        Assert.Equal(("hash-token", "admin", (string?)null, (string?)null), (token.TokenHash, token.CreatedBy, token.Kind, token.OwnerId));
        var course = await db.Courses.SingleAsync(ct);
        Assert.Equal(("net101", false, (long?)null), (course.Name, course.AllowClientNodes, course.CheckoutLeaseSeconds));
        Assert.Empty(await db.FencedCopies.ToListAsync(ct));
        Assert.Equal("alice", (await db.Users.SingleAsync(ct)).Username);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(4, false)] // older than the first step: no way from there
    [InlineData(6, true)]
    [InlineData(7, true)]
    [InlineData(8, true)]
    [InlineData(9, false)] // already current
    [InlineData(10, false)] // newer than this build: refused, never guessed at
    public void CanUpgrade_OnlyWhereEveryStepExists(int from, bool expected)
    {
        Assert.Equal(expected, SchemaUpgrade.CanUpgrade(from, StartupService.SchemaVersion));
    }

    [Fact]
    public async Task Run_WithoutAWay_Throws_AndChangesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var path = Path.Combine(_directory, "v4.db");
        await CreateVersion5Async(path, timeout.Token);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(timeout.Token);
        await ExecuteAsync(connection, "PRAGMA user_version=4;", timeout.Token);

        await Assert.ThrowsAsync<InvalidOperationException>(() => SchemaUpgrade.RunAsync(connection, 4, StartupService.SchemaVersion, timeout.Token));

        Assert.Equal(4, await ScalarAsync(connection, "PRAGMA user_version;", timeout.Token));
        Assert.DoesNotContain(await ColumnsAsync(connection, "Nodes", timeout.Token), c => c.StartsWith("OwnerId ", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A version-5 database: today's schema without what versions 6, 7, 8 and 9 added, with a row in each table it touches.</summary>
    private static async Task CreateVersion5Async(string path, CancellationToken ct)
    {
        await CreateAsync(path, ct);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        foreach (var statement in new[]
        {
            "ALTER TABLE \"JoinTokens\" DROP COLUMN \"Kind\";",
            "ALTER TABLE \"JoinTokens\" DROP COLUMN \"OwnerId\";",
            "ALTER TABLE \"Nodes\" DROP COLUMN \"OwnerId\";",
            "ALTER TABLE \"Courses\" DROP COLUMN \"AllowClientNodes\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutNode\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutRetainedOn\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutSince\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutLastSyncAt\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutUnsyncedBytes\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutSyncedBytes\";",
            "ALTER TABLE \"Migrations\" DROP COLUMN \"Purpose\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutEpoch\";",
            "ALTER TABLE \"Machines\" DROP COLUMN \"CheckoutLeaseExpiresAt\";",
            "ALTER TABLE \"Courses\" DROP COLUMN \"CheckoutLeaseSeconds\";",
            "DROP TABLE \"FencedCopies\";",
            "DROP TABLE \"PlacementPolicies\";",
            "PRAGMA user_version=5;",
            "INSERT INTO \"Users\" (\"Id\", \"Username\", \"Role\", \"CreatedAt\", \"CredentialGeneration\") VALUES ('u1', 'alice', 'student', '2026-01-01 00:00:00+00:00', 0);",
            "INSERT INTO \"Nodes\" (\"Name\", \"Kind\", \"CredentialHash\", \"EnrolledAt\", \"Drained\") VALUES ('node1', 'server', 'hash-node1', '2026-01-01 00:00:00+00:00', 0);",
            "INSERT INTO \"JoinTokens\" (\"TokenHash\", \"ExpiresAt\", \"CreatedBy\") VALUES ('hash-token', '2026-01-01 00:00:00+00:00', 'admin');",
            "INSERT INTO \"Courses\" (\"Id\", \"Name\", \"OwnerId\", \"CreatedAt\") VALUES ('c1', 'net101', 'u1', '2026-01-01 00:00:00+00:00');",
        })
        {
            await ExecuteAsync(connection, statement, ct);
        }
    }

    private static async Task CreateAsync(string path, CancellationToken ct)
    {
        await using var db = Open(path);
        await db.Database.EnsureCreatedAsync(ct);
    }

    private static SkillVlDbContext Open(string path) =>
        new(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options);

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new SqliteCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ColumnsAsync(string path, string table, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        return await ColumnsAsync(connection, table, ct);
    }

    private static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table, CancellationToken ct)
    {
        var columns = new List<string>();
        await using var command = new SqliteCommand($"SELECT name, type, \"notnull\" FROM pragma_table_info('{table}') ORDER BY name;", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            columns.Add($"{reader.GetString(0)} {reader.GetString(1)} {reader.GetInt64(2)}");
        }

        return columns;
    }
}
