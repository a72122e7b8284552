using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Server.Courses;
using SkillVL.Server.Data;

namespace SkillVL.Server.Tests.Courses;

/// <summary>
/// Issue 17 (ADR 0045): an instance's last activity is the newest of its last change, its tasks, its check run and its
/// student's own console and room requests in the audit log — not a teacher's console, not another room, not a refused
/// request, nothing older than the window.
/// </summary>
public sealed class InstanceActivityTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 1, 0, 0, TimeSpan.Zero);
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly SkillVlDbContext _db;
    private readonly RoomEntity _room = new() { Id = "room1", Name = "lab", OwnerId = "u-sam", DefinitionJson = "{}", UpdatedAt = T0 };

    public InstanceActivityTests()
    {
        _connection.Open();
        _db = new SkillVlDbContext(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite(_connection).Options);
        _db.Database.EnsureCreated();
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
    public async Task OnlyTheRoomsOwnChange_IsItsActivity()
    {
        Assert.Equal((T0, "room changed"), await ActivityAsync());
    }

    [Fact]
    public async Task StudentsConsole_IsNewerThanTheTask_AndOthersUseDoesNotCount()
    {
        _db.Tasks.Add(new TaskEntity { Id = "t1", Kind = "room.start", Target = "room/lab", State = "succeeded", RoomId = "room1", CreatedAt = T0.AddMinutes(1) });
        Audit("u-sam", "console", "room=lab machine=a", "opened", "vnc via node edge1", T0.AddMinutes(2));
        // Later, but not the student's own use of this room: the teacher's console, another room, a refused request.
        Audit("u-tina", "console", "room=lab machine=a", "opened", "vnc", T0.AddMinutes(3));
        Audit("u-sam", "console", "room=other machine=a", "opened", "serial", T0.AddMinutes(4));
        Audit("u-sam", "POST /api/v1/rooms/{room}/machines/{machine}/exec", "room=lab machine=a", "409", null, T0.AddMinutes(5));
        await _db.SaveChangesAsync();

        Assert.Equal((T0.AddMinutes(2), "console vnc on a"), await ActivityAsync());
    }

    [Fact]
    public async Task StudentsRequestByRoomId_AndACheckRun_NewestWins()
    {
        Audit("u-sam", "POST /api/v1/rooms/{room}/machines/{machine}/exec", "room=room1 machine=b", "200", null, T0.AddMinutes(2));
        _db.CheckResults.Add(new CheckResultEntity { RoomId = "room1", Name = "done", Passed = true, Detail = "exit status 0", RanAt = T0.AddMinutes(1), RanBy = "tina" });
        await _db.SaveChangesAsync();
        Assert.Equal((T0.AddMinutes(2), "exec on b"), await ActivityAsync());

        Audit("u-sam", "POST /api/v1/rooms/{room}/checks", "room=lab", "200", "1 of 1 passed", T0.AddMinutes(3));
        await _db.SaveChangesAsync();
        Assert.Equal((T0.AddMinutes(3), "checks"), await ActivityAsync());
    }

    [Fact]
    public async Task EntriesOlderThanTheWindow_AreNotRead()
    {
        var now = T0 + InstanceActivity.Window + TimeSpan.FromDays(1);
        Audit("u-sam", "console", "room=lab machine=a", "opened", "vnc", T0.AddHours(1));
        await _db.SaveChangesAsync();

        Assert.Equal((T0, "room changed"), await ActivityAsync(now));
    }

    private void Audit(string userId, string action, string target, string outcome, string? detail, DateTimeOffset at) =>
        _db.Audit.Add(new AuditEntity { UserId = userId, Action = action, Target = target, Outcome = outcome, Detail = detail, At = at });

    private async Task<(DateTimeOffset At, string What)> ActivityAsync(DateTimeOffset? now = null) =>
        (await InstanceActivity.OfAsync(_db, [_room], now ?? T0.AddHours(1), CancellationToken.None))["room1"];
}
