using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkillVL.Core.Api.Checks;
using SkillVL.Core.Rooms;
using SkillVL.Server.Checks;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Tests.Checks;

/// <summary>
/// Issue 17 (ADR 0042) on a real database: a machine that cannot run its check — stopped, checked out, on a node that is
/// not connected — gives a failed result saying so (never an error of the run), and a run replaces the room's results.
/// The checks that do run in guests are CourseTests' (real tiny guests).
/// </summary>
public sealed class CheckRunnerTests : IAsyncLifetime
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 1, 40, 0, 123, TimeSpan.Zero).AddTicks(4567));
    private readonly SkillVlDbContext _db;
    private readonly RoomEntity _room;

    public CheckRunnerTests()
    {
        _connection.Open();
        _db = new SkillVlDbContext(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite(_connection).Options);
        _db.Database.EnsureCreated();
        var definition = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = "lab" },
            Networks = [new NetworkDefinition { Name = "lan", Cidr = "10.20.0.0/24" }],
            Machines =
            [
                .. new[] { "off", "out", "away" }.Select((name, i) => new MachineDefinition
                {
                    Name = name,
                    Template = "tiny",
                    Nics = [new NicDefinition { Network = "lan", Ip = $"10.20.0.{10 + i}" }],
                }),
            ],
            Checks =
            [
                new CheckDefinition { Name = "done", Machine = "off", Run = "test -f /root/done" },
                new CheckDefinition { Name = "out-reaches-off", Machine = "out", Reaches = "off" },
                new CheckDefinition { Name = "away", Machine = "away", Run = "true" },
            ],
        };
        var json = RoomDocument.ToJson(definition);
        Assert.Empty(RoomDocument.Parse(json).Errors);
        _room = new RoomEntity { Id = "room1", Name = "lab", OwnerId = "u1", DefinitionJson = json };
        _room.Machines.Add(Machine("m-off", "off", "node1", MachineStates.Stopped));
        _room.Machines.Add(Machine("m-out", "out", "laptop", MachineStates.Running, checkedOut: true));
        _room.Machines.Add(Machine("m-away", "away", "node-gone", MachineStates.Running));
        _db.Rooms.Add(_room);
        _db.SaveChanges();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Fact]
    public async Task Run_MachinesThatCannotRunTheirCheck_FailEachWithTheReason()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var results = await Runner().RunAsync(_room, "ann", timeout.Token);

        var at = new DateTimeOffset(2026, 12, 7, 1, 40, 0, 123, TimeSpan.Zero); // whole milliseconds, as the database keeps it
        Assert.Equal(
            [
                new CheckResultInfo("done", false, "machine 'off' is not running (stopped); start it and check again", at),
                new CheckResultInfo("out-reaches-off", false, "machine 'out' is checked out to a client computer; check it in to run its checks", at),
                new CheckResultInfo("away", false, "machine 'away' is on a node that is not connected now; try again later", at),
            ],
            results);
        Assert.Equal(results, await Runner().LatestAsync(_room.Id, timeout.Token));
        Assert.Equal("ann", (await _db.CheckResults.AsNoTracking().FirstAsync(timeout.Token)).RanBy);
    }

    [Fact]
    public async Task Run_Again_ReplacesTheRoomsResults()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Runner().RunAsync(_room, "ann", timeout.Token);
        _time.Advance(TimeSpan.FromMinutes(1));

        var again = await Runner().RunAsync(_room, "tina", timeout.Token);

        Assert.Equal(3, await _db.CheckResults.CountAsync(timeout.Token));
        Assert.All(await Runner().LatestAsync(_room.Id, timeout.Token), r => Assert.Equal(again[0].At, r.At));
        Assert.All(await _db.CheckResults.AsNoTracking().ToListAsync(timeout.Token), r => Assert.Equal("tina", r.RanBy));
    }

    [Fact]
    public async Task DeletingTheRoom_DeletesItsResults()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Runner().RunAsync(_room, "ann", timeout.Token);

        await _db.Rooms.Where(r => r.Id == _room.Id).ExecuteDeleteAsync(timeout.Token);

        Assert.Equal(0, await _db.CheckResults.CountAsync(timeout.Token));
    }

    private CheckRunner Runner()
    {
        var options = Options.Create(new SkillVlServerOptions());
        return new CheckRunner(_db, new NodeRegistry(_time, options), _time, options, NullLogger<CheckRunner>.Instance);
    }

    private static MachineEntity Machine(string id, string name, string node, string observed, bool checkedOut = false) => new()
    {
        Id = id, RoomId = "room1", Name = name, TemplateName = "tiny", TemplateSha256 = new string('a', 64), Cpus = 1, MemoryBytes = 64L << 20,
        NodeName = node, DesiredState = MachineStates.Running, ObservedState = observed,
        CheckoutNode = checkedOut ? node : null, CheckoutRetainedOn = checkedOut ? "node1" : null,
    };
}
