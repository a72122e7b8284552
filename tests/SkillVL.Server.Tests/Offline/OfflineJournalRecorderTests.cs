using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Tests.Offline;

public sealed class OfflineJournalRecorderTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly IDbContextFactory<SkillVlDbContext> _db;
    private readonly OfflineJournalRecorder _recorder;

    public OfflineJournalRecorderTests()
    {
        _connection.Open();
        _db = new Factory(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite(_connection).Options);
        using (var db = _db.CreateDbContext())
        {
            db.Database.EnsureCreated();
            var room = new RoomEntity { Id = "r0000001", Name = "home", OwnerId = "u1", DefinitionJson = "{}", Generation = 1, ObservedGeneration = 1 };
            room.Machines.Add(Machine("a1a1a1a1a1a1", "vm", "laptop1"));
            room.Machines.Add(Machine("b2b2b2b2b2b2", "peer", "node1"));
            db.Rooms.Add(room);
            db.SaveChanges();
        }

        _recorder = new OfflineJournalRecorder(_db, NullLogger<OfflineJournalRecorder>.Instance);
    }

    [Fact]
    public async Task Record_LocalStop_MakesDesiredStopped_AndWritesAnAuditEntry()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var acknowledged = await _recorder.RecordAsync("laptop1", [Entry(1, "a1a1a1a1a1a1", OfflineActions.StoppedLocally)], timeout.Token);

        Assert.Equal(1, acknowledged);
        await using var db = await _db.CreateDbContextAsync(timeout.Token);
        Assert.Equal(MachineStates.Stopped, (await db.Machines.SingleAsync(m => m.Id == "a1a1a1a1a1a1", timeout.Token)).DesiredState);
        var audit = await db.Audit.SingleAsync(timeout.Token);
        Assert.Equal("machine.local.stopped-locally", audit.Action);
        Assert.Equal("home/vm", audit.Target);
        Assert.Equal("recorded", audit.Outcome);
        Assert.Equal(At, audit.At);
        Assert.Contains("on laptop1", audit.Detail, StringComparison.Ordinal);
        Assert.Contains("while offline", audit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_StopThenStart_EndsRunning_AndRestoreChangesNoDesiredState()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await _recorder.RecordAsync(
            "laptop1",
            [Entry(2, "a1a1a1a1a1a1", OfflineActions.StartedLocally), Entry(1, "a1a1a1a1a1a1", OfflineActions.StoppedLocally), Entry(3, "a1a1a1a1a1a1", OfflineActions.Restored)],
            timeout.Token);

        await using var db = await _db.CreateDbContextAsync(timeout.Token);
        Assert.Equal(MachineStates.Running, (await db.Machines.SingleAsync(m => m.Id == "a1a1a1a1a1a1", timeout.Token)).DesiredState);
        Assert.Equal(
            ["machine.local.stopped-locally", "machine.local.started-locally", "machine.local.restored-after-restart"],
            await db.Audit.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(timeout.Token));
    }

    [Fact]
    public async Task Record_TheSameEntryTwice_RecordsItOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var entries = new[] { Entry(1, "a1a1a1a1a1a1", OfflineActions.StoppedLocally) };

        await _recorder.RecordAsync("laptop1", entries, timeout.Token);
        await _recorder.RecordAsync("laptop1", [.. entries, Entry(10, "a1a1a1a1a1a1", OfflineActions.StartedLocally)], timeout.Token);

        await using var db = await _db.CreateDbContextAsync(timeout.Token);
        Assert.Equal(2, await db.Audit.CountAsync(timeout.Token));
    }

    [Fact]
    public async Task Record_FromANodeTheMachineIsNotOn_ChangesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await _recorder.RecordAsync("laptop1", [Entry(1, "b2b2b2b2b2b2", OfflineActions.StoppedLocally)], timeout.Token);

        await using var db = await _db.CreateDbContextAsync(timeout.Token);
        Assert.Equal(MachineStates.Running, (await db.Machines.SingleAsync(m => m.Id == "b2b2b2b2b2b2", timeout.Token)).DesiredState);
        Assert.Equal("ignored", (await db.Audit.SingleAsync(timeout.Token)).Outcome);
    }

    [Fact]
    public async Task Record_Nothing_AcknowledgesNothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Null(await _recorder.RecordAsync("laptop1", null, timeout.Token));
        Assert.Null(await _recorder.RecordAsync("laptop1", [], timeout.Token));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _connection.DisposeAsync().AsTask();

    private static OfflineJournalEntry Entry(long seq, string vmId, string action) => new(seq, At, vmId, "vm", action, "uid 1000", Offline: true);

    private static MachineEntity Machine(string id, string name, string node) => new()
    {
        Id = id, RoomId = "r0000001", Name = name, TemplateName = "tiny", TemplateSha256 = new string('a', 64), Cpus = 1, MemoryBytes = 64L << 20,
        NodeName = node, DesiredState = MachineStates.Running, ObservedState = MachineStates.Running,
    };

    private sealed class Factory(DbContextOptions<SkillVlDbContext> options) : IDbContextFactory<SkillVlDbContext>
    {
        public SkillVlDbContext CreateDbContext() => new(options);
    }
}
