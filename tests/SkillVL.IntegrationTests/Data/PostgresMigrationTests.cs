using Microsoft.EntityFrameworkCore;
using Npgsql;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// Issue 16 (ADR 0037) on a real PostgreSQL (<see cref="PostgresCluster"/>), without a Server process: a database made by
/// the release before migrations (ADR 0034: <c>EnsureCreated</c>, the audit trigger, <c>skillvl_schema</c> 9 — the first
/// migration is exactly that, so the test makes it with the first migration and no history, <see
/// cref="Data.ReleaseBeforeMigrations"/>) is recorded as at the first migration and migrated, keeping its rows and its append-only audit, and ends with the schema a new
/// database gets from the migrations.
/// </summary>
public sealed class PostgresMigrationTests : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    private PostgresCluster Cluster => _cluster!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task DatabaseFromTheReleaseBeforeMigrations_IsBaselinedAndMigrated_KeepingRowsAndAudit()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var old = await Cluster.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(old))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            await Data.ReleaseBeforeMigrations.TablesAsync(schema, ct);
        }

        await using (var db = new SkillVlDbContext(new DbContextOptionsBuilder<SkillVlDbContext>().UseNpgsql(old).UseOpenIddict().Options))
        {
            // In SQL, not as today's entities: the old release's tables lack columns (DisabledAt, ADR 0043) and keep times
            // packed in a bigint (ADR 0049; 0 is 0001-01-01, 1272537022464000000 the Unix epoch).
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"Users\" (\"Id\", \"Username\", \"Role\", \"CreatedAt\", \"CredentialGeneration\") VALUES ('u1', 'theo', 'teacher', 0, 0)", ct);
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"Audit\" (\"At\", \"Username\", \"Action\", \"Target\", \"Outcome\") VALUES (1272537022464000000, 'admin', 'user.create', 'theo', 'ok')", ct);
        }

        Assert.Equal(9, await MigrateAsync(old, ct));
        var fresh = await Cluster.CreateDatabaseAsync();
        Assert.Null(await MigrateAsync(fresh, ct));

        Assert.Equal(await SchemaAsync(fresh), await SchemaAsync(old));
        Assert.Equal(await SqlAsync(fresh, "SELECT string_agg(\"MigrationId\", ',' ORDER BY \"MigrationId\") FROM \"__EFMigrationsHistory\""),
            await SqlAsync(old, "SELECT string_agg(\"MigrationId\", ',' ORDER BY \"MigrationId\") FROM \"__EFMigrationsHistory\""));
        Assert.Equal($"{DatabaseSchema.MigrationsVersionMarker}", await SqlAsync(old, $"SELECT version FROM {PostgresSchema.VersionTable}"));
        Assert.Equal("theo", await SqlAsync(old, "SELECT \"Username\" FROM \"Users\""));
        Assert.Equal("1970-01-01 00:00:00", await SqlAsync(old, "SELECT string_agg((\"At\" AT TIME ZONE 'UTC')::text, ',') FROM \"Audit\""));
        Assert.Equal("0001-01-01 00:00:00", await SqlAsync(old, "SELECT (\"CreatedAt\" AT TIME ZONE 'UTC')::text FROM \"Users\""));
        // Row triggers fire only on rows: the new database gets one too.
        await SqlAsync(fresh, "INSERT INTO \"Audit\" (\"At\", \"Action\", \"Outcome\") VALUES (now(), 'test', 'ok')");
        foreach (var statement in new[] { "UPDATE \"Audit\" SET \"Outcome\" = 'forged'", "DELETE FROM \"Audit\"", "TRUNCATE \"Audit\"" })
        {
            foreach (var database in new[] { old, fresh })
            {
                var (code, said) = await Cluster.PsqlAsync(Name(database), "skillvl", statement);
                Assert.NotEqual(0, code);
                Assert.Contains("the audit log is append-only", said, StringComparison.Ordinal);
            }
        }

        Assert.Null(await MigrateAsync(old, ct));
    }

    [Fact]
    public async Task DatabaseWithForeignTables_IsRefused_AndLeftAlone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var database = await Cluster.CreateDatabaseAsync();
        await SqlAsync(database, "CREATE TABLE invoices (id integer)");

        Assert.Equal("1", await SqlAsync(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_EF%'"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MigrateAsync(database, timeout.Token));

        Assert.Contains("not made by SkillVL", refused.Message, StringComparison.Ordinal);
        Assert.Equal("invoices", await SqlAsync(database, "SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    private static async Task<int?> MigrateAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await using var schema = PostgresSchemaContext.On(connection);
        return await DatabaseSchema.MigrateAsync(schema, Name(connectionString), ct);
    }

    /// <summary>Columns (type, nullability, default), indexes and triggers of the public schema, one line each.</summary>
    private Task<string> SchemaAsync(string database) => SqlAsync(database, """
        SELECT string_agg(line, E'\n' ORDER BY line) FROM (
          SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
            FROM information_schema.columns WHERE table_schema = 'public'
          UNION ALL SELECT 'index ' || tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
          UNION ALL SELECT 'trigger ' || event_object_table || ' ' || trigger_name || ' ' || event_manipulation FROM information_schema.triggers
        ) lines
        """);

    private async Task<string> SqlAsync(string connectionString, string sql)
    {
        var (code, said) = await Cluster.PsqlAsync(Name(connectionString), "skillvl", sql);
        Assert.True(code == 0, $"{sql}: {said}");
        return said.Trim();
    }

    private static string Name(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;
}
