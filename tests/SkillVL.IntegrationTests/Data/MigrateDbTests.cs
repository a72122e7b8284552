using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// Issue 16 (ADR 0037): <c>admin migrate-db --to postgres://…</c> copies an embedded installation (the database a real
/// Server of the release before migrations left: users, a course, an enrolment, tokens, OpenIddict clients, audit) into
/// an empty database of a real PostgreSQL (<see cref="PostgresCluster"/>), counts checked and the audit append-only
/// there; it is refused while a Server holds the data directory, for a database that is not empty, and for a URL with a
/// password (which it does not repeat).
/// </summary>
public sealed class MigrateDbTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Not __EFMigrationsHistory: each provider has its own set (PostgreSQL's has TimesAsTimestamptz, ADR 0049).
    private static readonly string[] Tables = ["Users", "ApiTokens", "Courses", "Enrolments", "Audit", "OpenIddictApplications"];

    private PostgresCluster? _cluster;
    private readonly TempDirectory _data = new("svl-migratedb");

    private PostgresCluster Cluster => _cluster!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _data.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task MigrateDb_CopiesEmbeddedData_IntoEmptyPostgres_AndRefusesARunningServer_ANonEmptyTarget_APasswordInTheUrl()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var sqlite = Path.Combine(_data.Path, "skillvl.db");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "skillvl-schema9.db"), sqlite);
        var database = Name(await Cluster.CreateDatabaseAsync());
        var url = $"postgres://skillvl@/{database}?host={Uri.EscapeDataString(Cluster.Directory)}";
        string[] args = ["--to", url, "--data-directory", _data.Path];

        // While a Server holds the data directory: refused, nothing copied.
        using (DataDirectoryLock.Acquire(_data.Path, "test"))
        {
            var (busy, busySaid) = await RunAsync(args, timeout.Token);
            Assert.Equal(1, busy);
            Assert.Contains("stop it first", busySaid, StringComparison.Ordinal);
        }

        var (code, said) = await RunAsync(args, timeout.Token);
        Assert.True(code == 0, said);
        foreach (var table in Tables)
        {
            Assert.Equal(await SqliteCountAsync(sqlite, table, timeout.Token), long.Parse(await SqlAsync(database, $"SELECT count(*) FROM \"{table}\""), System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal("admin,sara,theo", await SqlAsync(database, "SELECT string_agg(\"Username\", ',' ORDER BY \"Username\") FROM \"Users\""));
        // At this build's last PostgreSQL migration, and the times are the same instants, now in timestamptz (ADR 0049).
        await using (var postgres = PostgresSchemaContext.On(new Npgsql.NpgsqlConnection(Cluster.ConnectionString(database, "skillvl"))))
        {
            Assert.Equal(string.Join(',', postgres.Database.GetMigrations()), await SqlAsync(database, "SELECT string_agg(\"MigrationId\", ',' ORDER BY \"MigrationId\") FROM \"__EFMigrationsHistory\""));
            await using var embedded = SqliteSchemaContext.On(new SqliteConnection($"Data Source={sqlite};Pooling=False"));
            var before = await embedded.Audit.OrderBy(a => a.Id).Select(a => a.At).ToListAsync(timeout.Token);
            var after = await postgres.Audit.OrderBy(a => a.Id).Select(a => a.At).ToListAsync(timeout.Token);
            Assert.NotEmpty(before);
            Assert.Equal(before.Select(t => t.UtcTicks), after.Select(t => t.UtcTicks));
            Assert.Equal("timestamp with time zone", await SqlAsync(database, "SELECT DISTINCT pg_typeof(\"At\")::text FROM \"Audit\""));
        }

        // The audit stays append-only there, and its id sequence continues after the copied rows.
        var (forged, refusal) = await Cluster.PsqlAsync(database, "skillvl", "DELETE FROM \"Audit\"");
        Assert.NotEqual(0, forged);
        Assert.Contains("append-only", refusal, StringComparison.Ordinal);
        await SqlAsync(database, "INSERT INTO \"Audit\" (\"At\", \"Action\", \"Outcome\") VALUES (now(), 'test', 'ok')");

        var (again, againSaid) = await RunAsync(args, timeout.Token);
        Assert.Equal(1, again);
        Assert.Contains("not empty", againSaid, StringComparison.Ordinal);

        var (withPassword, passwordSaid) = await RunAsync(["--to", $"postgres://skillvl:hunter2@localhost/{database}", "--data-directory", _data.Path], timeout.Token);
        Assert.Equal(1, withPassword);
        Assert.Contains("--password-file", passwordSaid, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", passwordSaid, StringComparison.Ordinal);
    }

    private async Task<(int Code, string Said)> RunAsync(string[] args, CancellationToken ct)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await MigrateDbCommand.RunAsync(args, stdout, stderr, prompt: null, ct);
        output.WriteLine($"migrate-db → {code}\n{stdout}{stderr}");
        return (code, stdout.ToString() + stderr);
    }

    private static async Task<long> SqliteCountAsync(string path, string table, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(ct);
        await using var command = new SqliteCommand($"SELECT count(*) FROM \"{table}\"", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<string> SqlAsync(string database, string sql)
    {
        var (code, said) = await Cluster.PsqlAsync(database, "skillvl", sql);
        Assert.True(code == 0, $"{sql}: {said}");
        return said.Trim();
    }

    private static string Name(string connectionString) => new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;
}
