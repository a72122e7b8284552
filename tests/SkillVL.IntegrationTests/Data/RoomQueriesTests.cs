using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkillVL.Server.Data;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests.Data;

/// <summary>
/// <see cref="RoomQueries.WithChildren"/> reads a consistent picture while another room is rebuilt: a reset replaces that
/// room's machines between the statements of the read (a second connection commits while the first statement's rows are
/// being read, as the reconciler's pass and a teacher's reset did in CI). Every machine of the untouched room must keep
/// its NIC and only its own — one without is a changed spec hash, and the reconciler restarts the VM. On PostgreSQL a split
/// read tore exactly so (Npgsql runs one statement at a time, each its own READ COMMITTED snapshot: the untouched room's
/// machines came back without NICs); SQLite kept the first statement's snapshot for the others, so there it never showed.
/// </summary>
public sealed class RoomQueriesTests : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"svl-roomqueries-{Guid.NewGuid():N}.db");
    private PostgresCluster? _cluster;
    private string? _postgres;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(path);
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task WithChildren_WhileAnotherRoomsMachinesAreReplaced_EveryMachineKeepsItsOwnNics(string provider)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (provider == "postgres")
        {
            _cluster = await PostgresCluster.StartAsync();
            _postgres = await _cluster.CreateDatabaseAsync();
        }

        await using (var seed = Context(provider, interceptor: null))
        {
            await seed.Database.EnsureCreatedAsync(timeout.Token);
            if (provider == "sqlite")
            {
                await seed.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", timeout.Token);
            }

            seed.Rooms.Add(Room("r1", "reset-me", "old"));
            seed.Rooms.Add(Room("r2", "untouched", "keep"));
            await seed.SaveChangesAsync(timeout.Token);
        }

        var replacing = new ReplaceAfterEachCommand(generation => ReplaceMachinesOfR1(provider, generation, timeout.Token));
        await using var db = Context(provider, replacing);

        var rooms = await db.ReadRooms().OrderBy(r => r.Id).ToListAsync(timeout.Token);

        Assert.True(replacing.Commands > 0, "the other room's machines were replaced during the read");
        var untouched = rooms.Single(r => r.Id == "r2");
        Assert.All(rooms.SelectMany(r => r.Machines), m => Assert.Equal("nic-" + m.Id, Assert.Single(m.Nics).Id));
        Assert.Equal(["keep-a", "keep-b"], untouched.Machines.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal(1, replacing.Commands);
    }

    /// <summary>What a reset does to room r1 (RoomService.RebuildAsync): new machine ids, new NICs, in one commit.</summary>
    private void ReplaceMachinesOfR1(string provider, int generation, CancellationToken cancellationToken)
    {
        using var writer = Context(provider, interceptor: null);
        writer.Machines.RemoveRange(writer.Machines.Where(m => m.RoomId == "r1").ToList());
        writer.Machines.AddRange(Machine("r1", $"new{generation}-a"), Machine("r1", $"new{generation}-b"));
        writer.SaveChanges();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private SkillVlDbContext Context(string provider, IInterceptor? interceptor)
    {
        var options = new DbContextOptionsBuilder<SkillVlDbContext>();
        _ = provider == "sqlite" ? options.UseSqlite($"Data Source={_file}") : options.UseNpgsql(_postgres);
        options.UseOpenIddict();
        if (interceptor is not null)
        {
            options.AddInterceptors(interceptor);
        }

        return new SkillVlDbContext(options.Options);
    }

    private static RoomEntity Room(string id, string name, string machinePrefix)
    {
        var room = new RoomEntity { Id = id, Name = name, OwnerId = "u-" + id, DefinitionJson = "{}", Generation = 1, ObservedGeneration = 1 };
        room.Networks.Add(new NetworkEntity { Id = "n-" + id, RoomId = id, Name = "lan", Cidr = "10.20.0.0/24", Mtu = 1450, Vni = id == "r1" ? 5001 : 5002 });
        room.Machines.Add(Machine(id, machinePrefix + "-a"));
        room.Machines.Add(Machine(id, machinePrefix + "-b"));
        return room;
    }

    private static MachineEntity Machine(string roomId, string id)
    {
        var machine = new MachineEntity
        {
            Id = id, RoomId = roomId, Name = id, TemplateName = "tiny", TemplateSha256 = new string('a', 64), Cpus = 1, MemoryBytes = 64L << 20,
            NodeName = "local", DesiredState = MachineStates.Running,
        };
        machine.Nics.Add(new NicEntity { Id = "nic-" + id, MachineId = id, NetworkId = "n-" + roomId, MacAddress = "52:54:00:00:00:01" });
        return machine;
    }

    /// <summary>
    /// After each statement of the read, commits another replacement of room r1's machines on another connection: a
    /// split read's machines and NICs then come from different commits, as when a reset lands between them.
    /// </summary>
    private sealed class ReplaceAfterEachCommand(Action<int> replace) : DbCommandInterceptor
    {
        public int Commands { get; private set; }

        public override ValueTask<DbDataReader> ReaderExecutedAsync(
            DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            Commands++;
            replace(Commands);
            return ValueTask.FromResult(result);
        }
    }
}
