using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Core.Placement;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Recommendations;

namespace SkillVL.Server.Tests.Recommendations;

/// <summary>
/// GET /api/v1/recommendations' service (ADR 0027) on a real database and a fake signal set: server node1 is hot
/// (95 % CPU), node2 idle; bob's and carol's computers. Bob has a running box on node1, a pinned one, a stopped one and
/// one checked out to his laptop (which is leaving); carol has a box on node1; theo teaches the course of bob's room "course-lab".
/// </summary>
public sealed class RecommendationServiceTests : IAsyncLifetime
{
    private static readonly CurrentUser Bob = new("id-bob", "bob", PlatformRoles.Student, "test", []);
    private static readonly CurrentUser Carol = new("id-carol", "carol", PlatformRoles.Student, "test", []);
    private static readonly CurrentUser Theo = new("id-theo", "theo", PlatformRoles.Teacher, "test", []);
    private static readonly CurrentUser Admin = new("id-admin", "admin", PlatformRoles.Admin, "test", []);

    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly SkillVlDbContext _db;
    private readonly FakeSignals _signals = new();

    public RecommendationServiceTests()
    {
        _connection.Open();
        _db = new SkillVlDbContext(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite(_connection).Options);
        _db.Database.EnsureCreated();
        _db.Courses.Add(new CourseEntity { Id = "c1", Name = "net101", OwnerId = Theo.Id });
        _db.Rooms.Add(Room("rbob0001", "lab", Bob.Id, null,
            Machine("m-box", "box", "node1"), Machine("m-pinned", "pinned", "node1"), Machine("m-off", "off", "node1", running: false),
            Machine("m-out", "out", "laptop-bob", checkedOutFrom: "node2")));
        _db.Rooms.Add(Room("rcarol01", "lab", Carol.Id, null, Machine("m-carol", "box", "node1")));
        _db.Rooms.Add(Room("rcourse1", "course-lab", Bob.Id, "c1", Machine("m-course", "vm", "node1")));
        _db.SaveChanges();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _connection.DisposeAsync();
    }

    [Fact]
    public async Task List_Student_SeesOnlyOwnMachines_AndNeverAnotherUsersComputer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var bobs = await Service().ListAsync(Bob, timeout.Token);
        var carols = await Service().ListAsync(Carol, timeout.Token);

        Assert.Equal(["rbob0001", "rcourse1"], bobs.Select(r => r.RoomId).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["m-carol"], carols.Select(r => r.MachineId).Distinct());
        Assert.DoesNotContain(bobs, r => r.To == "laptop-carol" || r.From == "laptop-carol");
        Assert.DoesNotContain(carols, r => r.To == "laptop-bob" || r.From == "laptop-bob");
    }

    [Fact]
    public async Task List_Teacher_SeesTheCoursesMachines_ButNotTheStudentsComputer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var theos = await Service().ListAsync(Theo, timeout.Token);

        Assert.Equal(["m-course"], theos.Select(r => r.MachineId).Distinct());
        Assert.All(theos, r => Assert.DoesNotContain("laptop", r.To, StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_Admin_SeesEveryonesMachines()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var all = await Service().ListAsync(Admin, timeout.Token);

        Assert.Equal(["m-box", "m-carol", "m-course", "m-out", "m-pinned"], all.Select(r => r.MachineId).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_FromTheSignals_RecommendsAndSaysHowToAccept()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var bobs = await Service().ListAsync(Bob, timeout.Token);

        // The leaving laptop's checked-out machine first: back to the node keeping its disk, by a check-in.
        Assert.Equal("m-out", bobs[0].MachineId);
        Assert.True(bobs[0].Recommended, bobs[0].Reason);
        Assert.Equal((PlacementKinds.VerticalToServer, "node2"), (bobs[0].Kind, bobs[0].To));
        Assert.Equal((ApiPaths.Machine("rbob0001", "out") + "/checkin", null), (bobs[0].AcceptPath, bobs[0].AcceptBody));

        // The hot node's box: to the idle server by a migration (more relief than to the laptop at 30 %).
        var box = bobs.Single(r => r.MachineId == "m-box");
        Assert.True(box.Recommended, box.Reason);
        Assert.Equal((PlacementKinds.Horizontal, "node2"), (box.Kind, box.To));
        Assert.Contains("node1 is hot (95 % CPU)", box.Reason, StringComparison.Ordinal);
        Assert.Equal(ApiPaths.Migrations, box.AcceptPath);
        Assert.Equal(new Dictionary<string, string> { ["machine"] = "rbob0001/box", ["to"] = "node2" }, box.AcceptBody);
        Assert.True(box.PredictedTimeMs > 0, $"{box}");

        // Pinned: listed, not recommended, the pin named; stopped: absent.
        Assert.All(bobs.Where(r => r.MachineId == "m-pinned"), r =>
        {
            Assert.False(r.Recommended);
            Assert.Contains("the room pins it to node node1", r.Reason, StringComparison.Ordinal);
        });
        Assert.Contains(bobs, r => r.MachineId == "m-pinned");
        Assert.DoesNotContain(bobs, r => r.MachineId == "m-off");
    }

    [Fact]
    public async Task List_MachineWithAMigrationUnderWay_IsLeftOut()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _db.Migrations.Add(new MigrationEntity
        {
            Id = "mig00001", MachineId = "m-box", MachineName = "box", RoomId = "rbob0001", RoomName = "lab", OwnerId = Bob.Id,
            SourceNode = "node1", TargetNode = "node2", Mode = "live", State = MigrationStates.Running, Phase = "ram",
            LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy",
        });
        await _db.SaveChangesAsync(timeout.Token);

        var bobs = await Service().ListAsync(Bob, timeout.Token);

        Assert.DoesNotContain(bobs, r => r.MachineId == "m-box");
        Assert.Contains(bobs, r => r.MachineId == "m-out");
    }

    [Fact]
    public async Task List_LinkMeasuredByTheLatestMigration_BeatsTheConfiguredOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var at = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        _db.Migrations.Add(Migration("mig00001", "node1", "node2", "measured", DataRate.FromGigabitsPerSecond(10), at));
        _db.Migrations.Add(Migration("mig00002", "node1", "node2", "measured", DataRate.FromMegabitsPerSecond(10), at.AddHours(1)));
        _db.Migrations.Add(Migration("mig00003", "node1", "node2", "configured", DataRate.FromGigabitsPerSecond(10), at.AddHours(2)));
        await _db.SaveChangesAsync(timeout.Token);

        var box = (await Service().ListAsync(Bob, timeout.Token)).Single(r => r.MachineId == "m-box" && r.To == "node2");

        Assert.False(box.Recommended);
        Assert.Contains("the link (10 Mbit/s) is slower than 20 Mbit/s", box.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_FreeMemory_CountsEveryUsersMachinesOnTheNode()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Service().ListAsync(Carol, timeout.Token);

        // node1 holds 5 × 64 MiB of machines (bob's, carol's and the course's; the stopped one too); laptop-bob one.
        Assert.Equal(5 * (64L << 20), _signals.Allocated["node1"]);
        Assert.Equal(64L << 20, _signals.Allocated["laptop-bob"]);
    }

    private static MigrationEntity Migration(string id, string from, string to, string linkSource, DataRate bandwidth, DateTimeOffset at) => new()
    {
        Id = id, MachineId = "m-gone", MachineName = "gone", RoomId = "rgone001", RoomName = "old", OwnerId = Admin.Id,
        SourceNode = from, TargetNode = to, Mode = "live", State = MigrationStates.Succeeded, Phase = "done",
        LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy", CreatedAt = at,
        LinkSource = linkSource, LinkJson = Server.Migrations.MigrationJson.Write(new LinkMeasurement(bandwidth, TimeSpan.FromMilliseconds(1))),
    };

    [Fact]
    public async Task List_LeavesOutTheRoomsWhosePolicyIsOff()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        _db.PlacementPolicies.Add(new PlacementPolicyEntity { Scope = "course:c1", ScopeKind = "course", ScopeId = "c1", Mode = "off", UpdatedBy = "theo" });
        await _db.SaveChangesAsync(timeout.Token);
        var policies = new SkillVL.Server.PlacementControl.PlacementPolicyService(
            _db, new AccessService(_db), TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new SkillVL.Server.Hosting.SkillVlServerOptions()));
        var resolve = await policies.ResolverAsync(timeout.Token);

        var bobs = await Service().ListAsync(Bob, timeout.Token, room => resolve(room).Mode != "off");

        Assert.Contains(bobs, r => r.MachineId == "m-box");
        Assert.DoesNotContain(bobs, r => r.RoomId == "rcourse1"); // the course's room: its teacher turned placement off
    }

    private RecommendationService Service() => new(_db, new AccessService(_db), _signals);

    private static RoomEntity Room(string id, string name, string owner, string? course, params MachineEntity[] machines)
    {
        var definition = new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = name },
            Machines = [.. machines.Select(m => new MachineDefinition { Name = m.Name, Template = "tiny", Node = m.Name == "pinned" ? "node1" : null })],
        };
        var json = RoomDocument.ToJson(definition);
        Assert.Empty(RoomDocument.Parse(json).Errors); // a valid room, as the Server stores them
        var room = new RoomEntity { Id = id, Name = name, OwnerId = owner, CourseId = course, DefinitionJson = json };
        foreach (var machine in machines)
        {
            machine.RoomId = id;
            room.Machines.Add(machine);
        }

        return room;
    }

    private static MachineEntity Machine(string id, string name, string node, bool running = true, string? checkedOutFrom = null) => new()
    {
        Id = id, RoomId = "", Name = name, TemplateName = "tiny", TemplateSha256 = new string('a', 64), Cpus = 1, MemoryBytes = 64L << 20,
        NodeName = node, DesiredState = MachineStates.Running, ObservedState = running ? MachineStates.Running : MachineStates.Stopped,
        CheckoutNode = checkedOutFrom is null ? null : node, CheckoutRetainedOn = checkedOutFrom,
    };

    /// <summary>The signal set: fixed loads and links, and what the service passed as the allocation.</summary>
    private sealed class FakeSignals : IPlacementSignals
    {
        public IReadOnlyDictionary<string, long> Allocated { get; private set; } = new Dictionary<string, long>();

        public IReadOnlyList<PlacementNode> Nodes(IReadOnlyDictionary<string, long> allocatedBytes)
        {
            Allocated = allocatedBytes;
            return
            [
                new("node1", "server", true, false, null, 0.95, 8L << 30),
                new("node2", "server", true, false, null, 0.1, 8L << 30),
                new("laptop-bob", "client", true, false, Bob.Id, 0.3, 4L << 30, DepartsIn: TimeSpan.FromMinutes(30)),
                new("laptop-carol", "client", true, false, Carol.Id, 0.05, 4L << 30),
            ];
        }

        public LinkMeasurement? Link(string from, string to) => new(DataRate.FromGigabitsPerSecond(1), TimeSpan.FromMilliseconds(1));

        public TimeSpan? ConsoleRoundTrip(string userId, string node) => null;
    }
}
