using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Tests.Data;

/// <summary>
/// Issue 16 (ADR 0037): SQLite databases are brought to this build's schema by EF Core migrations. A database made by the
/// release before migrations (<c>Fixtures/skillvl-schema9.db</c>: a real Server of that release started once, a teacher,
/// a student, a course and an enrolment added with its CLI) is recorded as at the first migration and migrated, keeping
/// its rows; an older one goes through the hand-written steps first; one with a migration this build does not know is
/// refused naming both.
/// </summary>
public sealed class DatabaseSchemaTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("skillvl-efmig-").FullName;

    [Fact]
    public void Model_HasNoChangesWithoutAMigration_ForEitherProvider()
    {
        using var sqlite = new SqliteDesignTimeContext().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeContext().CreateDbContext([]);

        // A model change needs `dotnet ef migrations add` for both providers (docs/adr/0037): this names the one forgotten.
        Assert.False(sqlite.Database.HasPendingModelChanges(), "the model changed without a SQLite migration (Data/Schema/Sqlite)");
        Assert.False(postgres.Database.HasPendingModelChanges(), "the model changed without a PostgreSQL migration (Data/Schema/Postgres)");
    }

    [Fact]
    public async Task Schema9Database_FromTheReleaseBeforeMigrations_IsBaselinedAndMigrated_KeepingRows()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var old = CopyFixture();
        var fresh = Path.Combine(_directory, "fresh.db");

        Assert.Equal(DatabaseSchema.LastLegacyVersion, await MigrateAsync(old, ct));
        Assert.Null(await MigrateAsync(fresh, ct));

        await using var connection = await OpenAsync(old, ct);
        Assert.Equal(DatabaseSchema.MigrationsVersionMarker, await ScalarAsync(connection, "PRAGMA user_version;", ct));
        Assert.Equal(await AppliedAsync(fresh, ct), await AppliedAsync(old, ct));
        Assert.Equal(await SchemaAsync(fresh, ct), await SchemaAsync(old, ct));
        Assert.Equal(3, await ScalarAsync(connection, "SELECT count(*) FROM \"Users\" WHERE \"Username\" IN ('admin', 'theo', 'sara');", ct));
        Assert.Equal(1, await ScalarAsync(connection, "SELECT count(*) FROM \"Enrolments\" e JOIN \"Courses\" c ON c.\"Id\" = e.\"CourseId\" WHERE c.\"Name\" = 'net101';", ct));
        Assert.Equal(2, await ScalarAsync(connection, "SELECT count(*) FROM \"OpenIddictApplications\";", ct));
        var audited = await ScalarAsync(connection, "SELECT count(*) FROM \"Audit\";", ct);
        Assert.True(audited > 0, "the fixture's audit rows are gone");
        // Still append-only: the triggers of the old database were kept.
        var refused = await Assert.ThrowsAsync<SqliteException>(() => ScalarAsync(connection, "DELETE FROM \"Audit\";", ct));
        Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);

        // A second start finds nothing to do.
        Assert.Null(await MigrateAsync(old, ct));
    }

    [Fact]
    public async Task Version5Database_IsUpgradedByTheOldSteps_ThenBaselined()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var old = CopyFixture();
        await using (var connection = await OpenAsync(old, ct))
        {
            foreach (var statement in SchemaDowngrade.To5())
            {
                await ScalarAsync(connection, statement, ct);
            }
        }

        Assert.Equal(5, await MigrateAsync(old, ct));

        var fresh = Path.Combine(_directory, "fresh.db");
        await MigrateAsync(fresh, ct);
        // The old steps added columns with a DEFAULT (so existing rows got a value) that a new table does not declare.
        Assert.Equal(await SchemaAsync(fresh, ct, defaults: false), await SchemaAsync(old, ct, defaults: false));
        await using var upgraded = await OpenAsync(old, ct);
        Assert.Equal(1, await ScalarAsync(upgraded, "SELECT count(*) FROM \"Courses\" WHERE \"Name\" = 'net101' AND \"AllowClientNodes\" = 0;", ct));
    }

    [Fact]
    public async Task NewEmptyDatabase_IsMigrated_WithAppendOnlyAudit()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var path = Path.Combine(_directory, "new.db");

        Assert.Null(await MigrateAsync(path, ct));

        await using var connection = await OpenAsync(path, ct);
        Assert.Equal(DatabaseSchema.MigrationsVersionMarker, await ScalarAsync(connection, "PRAGMA user_version;", ct));
        await ScalarAsync(connection, "INSERT INTO \"Audit\" (\"At\", \"Username\", \"Action\", \"Outcome\") VALUES (0, 'admin', 'test', 'ok');", ct);
        var refused = await Assert.ThrowsAsync<SqliteException>(() => ScalarAsync(connection, "UPDATE \"Audit\" SET \"Outcome\" = 'forged';", ct));
        Assert.Contains("append-only", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseWithAMigrationThisBuildDoesNotKnow_IsRefused_NamingBoth()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var path = Path.Combine(_directory, "newer.db");
        await MigrateAsync(path, ct);
        await using (var connection = await OpenAsync(path, ct))
        {
            await ScalarAsync(connection, "INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231000000_FromANewerSkillVl', '99.0.0');", ct);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MigrateAsync(path, ct));

        Assert.Contains("29991231000000_FromANewerSkillVl", refused.Message, StringComparison.Ordinal);
        await using var schema = SqliteSchemaContext.On(new SqliteConnection($"Data Source={path};Pooling=False"));
        Assert.Contains(schema.Database.GetMigrations().Last(), refused.Message, StringComparison.Ordinal);
        Assert.Contains("newer SkillVL", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4)] // older than the first hand-written step
    [InlineData(12)] // a hand-numbered version this build never made
    public async Task LegacyVersionWithoutAWay_IsRefused_AndLeftAlone(int version)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = timeout.Token;
        var path = CopyFixture();
        await using (var connection = await OpenAsync(path, ct))
        {
            await ScalarAsync(connection, $"PRAGMA user_version={version};", ct);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MigrateAsync(path, ct));

        Assert.Contains($"schema version {version}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"needs {StartupService.SchemaVersion}", refused.Message, StringComparison.Ordinal);
        await using var after = await OpenAsync(path, ct);
        Assert.Equal(version, await ScalarAsync(after, "PRAGMA user_version;", ct));
        Assert.Equal(0, await ScalarAsync(after, "SELECT count(*) FROM sqlite_master WHERE name = '__EFMigrationsHistory';", ct));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string CopyFixture()
    {
        var path = Path.Combine(_directory, "schema9.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "skillvl-schema9.db"), path);
        return path;
    }

    private static async Task<int?> MigrateAsync(string path, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await using var schema = SqliteSchemaContext.On(connection);
        return await DatabaseSchema.MigrateAsync(schema, path, ct);
    }

    private static async Task<SqliteConnection> OpenAsync(string path, CancellationToken ct)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new SqliteCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> AppliedAsync(string path, CancellationToken ct)
    {
        await using var connection = await OpenAsync(path, ct);
        var applied = new List<string>();
        await using var command = new SqliteCommand("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY 1;", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            applied.Add(reader.GetString(0));
        }

        return applied;
    }

    /// <summary>Every table's columns (name, type, not-null, default, key) and every index's columns and uniqueness.</summary>
    private static async Task<List<string>> SchemaAsync(string path, CancellationToken ct, bool defaults = true)
    {
        await using var connection = await OpenAsync(path, ct);
        var schema = new List<string>();
        await using var command = new SqliteCommand("""
            SELECT m.type || ' ' || m.name || ': ' || c.name || ' ' || c.type || ' ' || c."notnull" || ' ' || iif(@defaults, ifnull(c.dflt_value, ''), '') || ' ' || c.pk
              FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'
            UNION ALL
            SELECT 'index ' || m.name || ': ' || i.name || ' ' || l."unique" || ' ' || ifnull(l.partial, '')
              FROM sqlite_master m JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i WHERE m.type = 'table'
            UNION ALL
            SELECT 'trigger ' || name FROM sqlite_master WHERE type = 'trigger'
            ORDER BY 1;
            """, connection);
        command.Parameters.AddWithValue("@defaults", defaults);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            schema.Add(reader.GetString(0));
        }

        return schema;
    }
}
