using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.Server.Hosting;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// Issue 16, PostgreSQL's first slice: the Server on a real PostgreSQL (a private cluster of Debian's packages, unix
/// socket only, <see cref="PostgresCluster"/>) applies a room and boots its VM, keeps it across a restart, has an
/// append-only audit table and a schema version PostgreSQL itself enforces, and refuses bad settings by name.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class PostgresServerTests(ITestOutputHelper output) : IAsyncLifetime
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
    public async Task OnPostgres_RoomRuns_SurvivesRestart_AuditIsAppendOnly_NoSqliteFile()
    {
        var connection = await Cluster.CreateDatabaseAsync();
        var database = connection.Split(';').Single(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];
        await using (var server = await ServerHarness.StartAsync(o => UsePostgres(o, connection)))
        {
            Assert.False(File.Exists(Path.Combine(server.DataDirectory, "skillvl.db")), "the Server made a SQLite file although it runs on PostgreSQL");
            await server.ApplyAsync("""
                apiVersion: skillvl.io/v1
                kind: Room
                metadata: { name: pg }
                networks:
                  - { name: lan, cidr: 10.63.0.0/24 }
                machines:
                  - { name: vm, template: tiny, nics: [{ network: lan, ip: 10.63.0.10 }] }
                """);
            var hello = await server.ExecAsync("pg", "vm", "echo", "hello from postgres");
            Assert.Equal(0, hello.ExitCode);
            Assert.Contains("hello from postgres", hello.Stdout, StringComparison.Ordinal);

            // The rows are PostgreSQL's: the room, the schema version, the audit of the apply.
            Assert.Equal("1", (await Sql(database, "SELECT count(*) FROM \"Rooms\" WHERE \"Name\" = 'pg'")).Trim());
            Assert.Equal(DatabaseSchema.MigrationsVersionMarker.ToString(System.Globalization.CultureInfo.InvariantCulture), (await Sql(database, $"SELECT version FROM {PostgresSchema.VersionTable}")).Trim());
            var audited = int.Parse((await Sql(database, "SELECT count(*) FROM \"Audit\"")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(audited > 0, "nothing was audited");

            // Append-only, enforced by the database for the Server's own role: no update, delete or truncate.
            foreach (var statement in new[] { "UPDATE \"Audit\" SET \"Outcome\" = 'forged'", "DELETE FROM \"Audit\"", "TRUNCATE \"Audit\"" })
            {
                var (code, said) = await Cluster.PsqlAsync(database, "skillvl", statement);
                output.WriteLine($"{statement}: {code} {said.Trim()}");
                Assert.NotEqual(0, code);
                Assert.Contains("the audit log is append-only", said, StringComparison.Ordinal);
            }

            Assert.Equal(audited.ToString(System.Globalization.CultureInfo.InvariantCulture), (await Sql(database, "SELECT count(*) FROM \"Audit\"")).Trim());

            // A restart finds the room and re-adopts the running VM (same QEMU process).
            var pid = await server.QemuPidAsync("pg", "vm");
            await server.RestartAsync();
            Assert.Equal("running", (await server.GetMachineAsync("pg", "vm")).State);
            Assert.Equal(pid, await server.QemuPidAsync("pg", "vm"));
            Assert.Equal(0, (await server.ExecAsync("pg", "vm", "true")).ExitCode);
            await server.DeleteRoomAsync("pg");
            Assert.Equal("0", (await Sql(database, "SELECT count(*) FROM \"Rooms\"")).Trim());
        }

        // A database a newer SkillVL migrated (a migration this build does not know) is refused at start, naming both.
        await Sql(database, "INSERT INTO \"__EFMigrationsHistory\" VALUES ('29991231000000_FromANewerSkillVl', '99.0.0')");
        var refused = await BareServerStart.RefusedAsync(o => UsePostgres(o, connection));
        output.WriteLine(refused.Message);
        Assert.Contains("29991231000000_FromANewerSkillVl", refused.Message, StringComparison.Ordinal);
        Assert.Contains("newer SkillVL", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadDatabaseSettings_AreRefusedAtStart_NamingTheSetting()
    {
        var connection = await Cluster.CreateDatabaseAsync();
        using var secrets = new TempDirectory("svl-pgsecret");

        var provider = await BareServerStart.RefusedAsync(o => o.Database.Provider = "mysql");
        Assert.Contains("SkillVL:Database:Provider", provider.Message, StringComparison.Ordinal);

        var empty = await BareServerStart.RefusedAsync(o => o.Database.Provider = "postgres");
        Assert.Contains("SkillVL:Database:ConnectionString", empty.Message, StringComparison.Ordinal);

        var inline = await BareServerStart.RefusedAsync(o => UsePostgres(o, connection + ";Password=hunter2"));
        Assert.Contains("SkillVL:Database:PasswordFile", inline.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", inline.Message, StringComparison.Ordinal);

        var open = Path.Combine(secrets.Path, "password");
        await File.WriteAllTextAsync(open, "hunter2\n");
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var readable = await BareServerStart.RefusedAsync(o =>
        {
            UsePostgres(o, connection);
            o.Database.PasswordFile = open;
        });
        Assert.Contains("readable by others", readable.Message, StringComparison.Ordinal);

        // A database PostgreSQL will not let the Server's role reach: refused, naming PostgreSQL's reason.
        var missing = await BareServerStart.RefusedAsync(o => UsePostgres(o, Cluster.ConnectionString("skillvl_test1", "nobody")));
        output.WriteLine(missing.Message);
        Assert.Contains("nobody", missing.Message, StringComparison.Ordinal);
    }

    private static void UsePostgres(SkillVlServerOptions options, string connection)
    {
        options.Database.Provider = DatabaseOptions.PostgresProvider;
        options.Database.ConnectionString = connection;
    }

    private async Task<string> Sql(string database, string sql)
    {
        var (code, said) = await Cluster.PsqlAsync(database, "skillvl", sql);
        Assert.True(code == 0, $"{sql}: {said}");
        return said;
    }
}
