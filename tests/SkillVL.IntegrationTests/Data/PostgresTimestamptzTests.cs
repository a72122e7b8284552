using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using SkillVL.Server.Audit;
using SkillVL.Server.Courses;
using SkillVL.Server.Data;
using SkillVL.Server.Data.Schema;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// ADR 0049 on a real PostgreSQL (<see cref="PostgresCluster"/>): the migration <c>TimesAsTimestamptz</c> turns the
/// packed <c>bigint</c> times of a database at the migration before it into <c>timestamptz</c> holding the same instants
/// (the rows are written with EF Core's own <see cref="DateTimeOffsetToBinaryConverter"/>, offsets of both signs, NULLs
/// and times before 1970 included), and back again; and the time comparisons and orderings the Server runs give the
/// right rows on the new columns, with a time in another offset stored as the same instant in UTC.
/// </summary>
public sealed class PostgresTimestamptzTests : IAsyncLifetime
{
    private const string Migration = "_TimesAsTimestamptz";
    private static readonly DateTimeOffsetToBinaryConverter Packing = new();

    /// <summary>Times with sub-second parts (the packing keeps 100 µs), offsets of both signs and at both ends.</summary>
    private static readonly DateTimeOffset[] AuditTimes =
    [
        new DateTimeOffset(2026, 12, 7, 10, 15, 30, TimeSpan.Zero) + TimeSpan.FromTicks(1_234_000),
        new(2026, 3, 29, 1, 30, 0, TimeSpan.FromHours(14)),
        new DateTimeOffset(2026, 10, 25, 2, 45, 59, TimeSpan.FromHours(-12)) + TimeSpan.FromTicks(9_999_000),
        new(1969, 7, 20, 20, 17, 40, new TimeSpan(-5, -30, 0)),
        DateTimeOffset.UnixEpoch,
    ];

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
    public async Task PackedTimes_BecomeTimestamptz_WithTheSameInstants_AndGoBackOnDown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var database = await Cluster.CreateDatabaseAsync();
        var created = new DateTimeOffset(2025, 9, 1, 8, 0, 0, TimeSpan.FromHours(2));
        var disabled = new DateTimeOffset(2026, 1, 31, 23, 59, 59, new TimeSpan(-3, -30, 0));
        var expires = new DateTimeOffset(2027, 2, 28, 12, 0, 0, TimeSpan.FromHours(5.75));
        await using (var connection = new NpgsqlConnection(database))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            await schema.GetService<IMigrator>().MigrateAsync(Before(schema), ct);
            Assert.Equal("bigint", await SqlAsync(database, "SELECT data_type FROM information_schema.columns WHERE table_name = 'Audit' AND column_name = 'At'"));
            // As the Server before this migration wrote them: EF Core's packing, in SQL because today's model maps these
            // columns to timestamptz.
            await schema.Database.ExecuteSqlAsync(
                $"INSERT INTO \"Users\" (\"Id\", \"Username\", \"Role\", \"CreatedAt\", \"CredentialGeneration\", \"DisabledAt\") VALUES ('u1', 'theo', 'teacher', {Packed(created)}, 0, NULL), ('u2', 'sara', 'student', {Packed(created)}, 0, {Packed(disabled)})", ct);
            foreach (var at in AuditTimes)
            {
                await schema.Database.ExecuteSqlAsync($"INSERT INTO \"Audit\" (\"At\", \"Action\", \"Outcome\") VALUES ({Packed(at)}, 'test', 'ok')", ct);
            }

            await schema.Database.ExecuteSqlAsync(
                $"INSERT INTO \"JoinTokens\" (\"TokenHash\", \"ExpiresAt\", \"UsedAt\") VALUES ('t1', {Packed(expires)}, NULL), ('t2', {Packed(expires)}, {Packed(disabled)})", ct);
        }

        await using (var connection = new NpgsqlConnection(database))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            Assert.Null(await DatabaseSchema.MigrateAsync(schema, "timestamptz", ct));
        }

        await using (var db = Context(database))
        {
            var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(ct);
            AssertSameInstant(created, users[0].CreatedAt);
            Assert.Null(users[0].DisabledAt);
            AssertSameInstant(disabled, users[1].DisabledAt!.Value);
            var audit = await db.Audit.AsNoTracking().OrderBy(a => a.Id).Select(a => a.At).ToListAsync(ct);
            Assert.Equal(AuditTimes.Length, audit.Count);
            foreach (var (expected, actual) in AuditTimes.Zip(audit))
            {
                AssertSameInstant(expected, actual);
            }

            var tokens = await db.JoinTokens.AsNoTracking().OrderBy(t => t.TokenHash).ToListAsync(ct);
            AssertSameInstant(expires, tokens[0].ExpiresAt);
            Assert.Null(tokens[0].UsedAt);
            AssertSameInstant(disabled, tokens[1].UsedAt!.Value);
        }

        // What an operator's psql shows now; and every time column of the model is a timestamptz.
        Assert.Equal("timestamp with time zone", await SqlAsync(database, "SELECT DISTINCT pg_typeof(\"At\")::text FROM \"Audit\""));
        Assert.Equal("2026-12-07 10:15:30.1234", await SqlAsync(database, "SELECT (\"At\" AT TIME ZONE 'UTC')::text FROM \"Audit\" ORDER BY \"Id\" LIMIT 1"));
        Assert.Equal("1969-07-21 01:47:40", await SqlAsync(database, "SELECT (\"At\" AT TIME ZONE 'UTC')::text FROM \"Audit\" ORDER BY \"Id\" OFFSET 3 LIMIT 1"));
        // The migration converted 32 columns; later migrations add their own, born timestamptz (Snapshots.CreatedAt).
        var timeColumns = TimeColumns();
        Assert.True(timeColumns.Count >= 32, $"{timeColumns.Count} time columns in the model");
        foreach (var (table, column) in timeColumns)
        {
            Assert.Equal($"{table}.{column} timestamp with time zone",
                await SqlAsync(database, $"SELECT '{table}.{column} ' || data_type FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'"));
        }

        // Down: the packing of the same instants with offset zero, as the Server wrote them.
        await using (var connection = new NpgsqlConnection(database))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            await schema.GetService<IMigrator>().MigrateAsync(Before(schema), ct);
        }

        Assert.Equal(string.Join(",", AuditTimes.Select(t => Packed(t.ToUniversalTime()))),
            await SqlAsync(database, "SELECT string_agg(\"At\"::text, ',' ORDER BY \"Id\") FROM \"Audit\""));
        Assert.Equal($"{Packed(disabled.ToUniversalTime())}", await SqlAsync(database, "SELECT \"DisabledAt\" FROM \"Users\" WHERE \"Id\" = 'u2'"));
        Assert.Equal("t", await SqlAsync(database, "SELECT bool_and(\"DisabledAt\" IS NULL) FROM \"Users\" WHERE \"Id\" = 'u1'"));
    }

    [Fact]
    public async Task ServersTimeQueries_GiveTheRightRows_AndAnotherOffsetIsStoredAsTheSameInstant()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ct = timeout.Token;
        var database = await Cluster.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(database))
        {
            await using var schema = PostgresSchemaContext.On(connection);
            await DatabaseSchema.MigrateAsync(schema, "timestamptz", ct);
        }

        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var factory = new Factory(new DbContextOptionsBuilder<SkillVlDbContext>().UseNpgsql(database).Options);
        var audit = new AuditService(factory, TimeProvider.System);
        // 11:00 UTC written as 13:00+02:00 (Npgsql itself refuses a non-zero offset for timestamptz): one place converts.
        await audit.AppendAsync(new AuditEntity { At = new DateTimeOffset(2026, 12, 7, 13, 0, 0, TimeSpan.FromHours(2)), Action = "older", Outcome = "ok" });
        await audit.AppendAsync(new AuditEntity { At = now.AddMinutes(-30), Action = "newer", Outcome = "ok" });
        Assert.Equal("2026-12-07 11:00:00", await SqlAsync(database, "SELECT (\"At\" AT TIME ZONE 'UTC')::text FROM \"Audit\" WHERE \"Action\" = 'older'"));

        // Audit paging by time: "since" as a caller may give it, in their offset (11:15 UTC).
        var since = new DateTimeOffset(2026, 12, 7, 6, 15, 0, TimeSpan.FromHours(-5));
        Assert.Equal(["newer"], (await audit.QueryAsync(null, null, since, null, 10, ct)).Select(e => e.Action));
        var all = await audit.QueryAsync(null, null, since.AddHours(-1), null, 10, ct);
        Assert.Equal(["newer", "older"], all.Select(e => e.Action));
        Assert.Equal(TimeSpan.Zero, all[1].At.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero), all[1].At);

        await using (var db = factory.CreateDbContext())
        {
            // Join tokens still open (NodeService): not used, expiring after now.
            db.JoinTokens.AddRange(
                new JoinTokenEntity { TokenHash = "open", ExpiresAt = now.AddMinutes(1), OwnerId = "u1" },
                new JoinTokenEntity { TokenHash = "expired", ExpiresAt = now.AddSeconds(-1), OwnerId = "u1" },
                new JoinTokenEntity { TokenHash = "used", ExpiresAt = now.AddHours(1), UsedAt = now.AddMinutes(-1), OwnerId = "u1" });
            var room = new RoomEntity { Id = "r1", Name = "lab", OwnerId = "u1", DefinitionJson = "{}", CreatedAt = now.AddDays(-60), UpdatedAt = now.AddDays(-60) };
            db.Rooms.Add(room);
            db.Machines.Add(new MachineEntity
            {
                Id = "m1", RoomId = "r1", Name = "pc", TemplateName = "tiny", TemplateSha256 = "x", NodeName = "node1", DesiredState = "running",
                CheckoutNode = "laptop", CheckoutEpoch = 3, CheckoutLeaseExpiresAt = now.AddMinutes(10),
            });
            db.Tasks.AddRange(
                new TaskEntity { Id = "t-old", Kind = "room.apply", Target = "r1", State = "done", RoomId = "r1", CreatedAt = now - InstanceActivity.Window - TimeSpan.FromMinutes(1) },
                new TaskEntity { Id = "t-new", Kind = "machine.start", Target = "m1", State = "done", RoomId = "r1", CreatedAt = now.AddDays(-2) },
                new TaskEntity { Id = "t-newest", Kind = "machine.stop", Target = "m1", State = "done", RoomId = "r1", CreatedAt = now.AddDays(-1).ToOffset(TimeSpan.FromHours(9)) });
            await db.SaveChangesAsync(ct);

            var open = await db.JoinTokens.Where(t => t.OwnerId == "u1" && t.UsedAt == null && t.ExpiresAt > now).Select(t => t.TokenHash).ToListAsync(ct);
            Assert.Equal(["open"], open);

            // The lease is only ever moved later (CheckoutLeaseService): an earlier expiry changes nothing, a later one does.
            Assert.Equal(0, await Renew(db, now.AddMinutes(5), ct));
            Assert.Equal(1, await Renew(db, now.AddMinutes(20).ToOffset(TimeSpan.FromHours(-8)), ct));
            var lease = await db.Machines.AsNoTracking().Select(m => m.CheckoutLeaseExpiresAt).SingleAsync(ct);
            Assert.Equal(now.AddMinutes(20), lease);

            // Newest first (TaskService, EventsApi), and the last 30 days' activity of a room (InstanceActivity: its
            // filter, then the room's latest).
            Assert.Equal(["t-newest", "t-new", "t-old"], await db.Tasks.OrderByDescending(t => t.CreatedAt).Select(t => t.Id).ToListAsync(ct));
            var windowStart = now - InstanceActivity.Window;
            Assert.Equal(["t-new", "t-newest"], await db.Tasks.Where(t => t.RoomId == "r1" && t.CreatedAt >= windowStart).OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(ct));
            var activity = await InstanceActivity.OfAsync(db, [room], now, ct);
            Assert.Equal((now.AddDays(-1), "machine.stop"), activity["r1"]);
        }
    }

    private static Task<int> Renew(SkillVlDbContext db, DateTimeOffset expires, CancellationToken ct) =>
        db.Machines
            .Where(m => m.Id == "m1" && m.CheckoutNode == "laptop" && m.CheckoutEpoch == 3
                && (m.CheckoutLeaseExpiresAt == null || m.CheckoutLeaseExpiresAt < expires))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.CheckoutLeaseExpiresAt, expires), ct);

    /// <summary>The migration before <c>TimesAsTimestamptz</c>: the last one with packed times.</summary>
    private static string Before(SkillVlDbContext schema)
    {
        var all = schema.Database.GetMigrations().ToList();
        var index = all.FindIndex(m => m.EndsWith(Migration, StringComparison.Ordinal));
        Assert.True(index > 0, "no migration " + Migration);
        return all[index - 1];
    }

    /// <summary>Every DateTimeOffset column of the model, by table.</summary>
    private static List<(string Table, string Column)> TimeColumns()
    {
        using var design = new PostgresDesignTimeContext().CreateDbContext([]);
        return design.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Where(p => (Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType) == typeof(DateTimeOffset))
                .Select(p => (e.GetTableName()!, p.GetColumnName())))
            .ToList();
    }

    private static long Packed(DateTimeOffset value) => (long)Packing.ConvertToProvider(value)!;

    private static void AssertSameInstant(DateTimeOffset expected, DateTimeOffset actual)
    {
        Assert.Equal(expected.UtcTicks, actual.UtcTicks);
        Assert.Equal(TimeSpan.Zero, actual.Offset);
    }

    private static SkillVlDbContext Context(string database) =>
        new(new DbContextOptionsBuilder<SkillVlDbContext>().UseNpgsql(database).UseOpenIddict().Options);

    private async Task<string> SqlAsync(string connectionString, string sql)
    {
        var (code, said) = await Cluster.PsqlAsync(new NpgsqlConnectionStringBuilder(connectionString).Database!, "skillvl", sql);
        Assert.True(code == 0, $"{sql}: {said}");
        return said.Trim();
    }

    private sealed class Factory(DbContextOptions<SkillVlDbContext> options) : IDbContextFactory<SkillVlDbContext>
    {
        public SkillVlDbContext CreateDbContext() => new(options);
    }
}
