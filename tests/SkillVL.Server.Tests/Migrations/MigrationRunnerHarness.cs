using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Server.Data;
using SkillVL.Server.Hosting;
using SkillVL.Server.Machines;
using SkillVL.Server.Migrations;
using SkillVL.Server.Nodes;
using SkillVL.Server.Reconciliation;
using SkillVL.Server.Tasks;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// The real runner, reconciler and database (SQLite in memory) with two fake nodes: "src" where the machine runs and
/// "dst" it moves to, both with an underlay address so the room's network gets a VXLAN tunnel between them.
/// </summary>
internal sealed class MigrationRunnerHarness : IAsyncDisposable
{
    public const string TemplateSha = "aa00000000000000000000000000000000000000000000000000000000000000";

    /// <summary>A database file of this harness's own, in a directory only root may enter: each context opens its own
    /// connection, as in the Server. One shared in-memory connection broke when a pass's background work used it while
    /// the next pass opened a context. Removed with the directory, so late background work cannot create it again.</summary>
    private readonly string _directory = Directory.CreateTempSubdirectory("svl-harness-").FullName;

    /// <param name="interceptors">EF interceptors on every context, to observe what the runner writes when.</param>
    public MigrationRunnerHarness(params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors)
    {
        Db = new Factory(new DbContextOptionsBuilder<SkillVlDbContext>().UseSqlite($"Data Source={Path.Combine(_directory, "skillvl.db")};Pooling=False;Default Timeout=30").AddInterceptors(interceptors).Options);
        using (var db = Db.CreateDbContext())
        {
            db.Database.EnsureCreated();
            db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        }

        var settings = new SkillVlServerOptions();
        settings.Migration.PollInterval = TimeSpan.FromMilliseconds(1);
        Options = Microsoft.Extensions.Options.Options.Create(settings);
        Nodes = new NodeRegistry(TimeProvider.System, Options);
        Source = new FakeNode("src", "192.0.2.1", Log, TemplateSha);
        Target = new FakeNode("dst", "192.0.2.2", Log, TemplateSha);
        Nodes.Register(Source);
        Nodes.Register(Target);
        var trigger = new ReconcileTrigger();
        var gate = new StartupGate();
        gate.Open();
        Reconciler = new ReconcileLoop(Db, Nodes, new TaskService(Db, TimeProvider.System), new MachineReconciler(Options, new SkillVL.Server.Templates.TemplateHealth(), TimeProvider.System),
            trigger, Active, new MachineActivity(Options, TimeProvider.System),
            gate, Options, TimeProvider.System, NullLogger<ReconcileLoop>.Instance);
        Runner = new MigrationRunner(Db, Nodes, Active, Reconciler, trigger, gate, Options, TimeProvider.System, NullLogger<MigrationRunner>.Instance);
    }

    public IDbContextFactory<SkillVlDbContext> Db { get; }

    public IOptions<SkillVlServerOptions> Options { get; }

    public NodeRegistry Nodes { get; }

    public CallLog Log { get; } = new();

    public FakeNode Source { get; }

    public FakeNode Target { get; }

    public ActiveMigrations Active { get; } = new();

    public ReconcileLoop Reconciler { get; }

    public MigrationRunner Runner { get; }

    public const string MachineId = "m0000001";

    public const string RoomId = "r0000001";

    /// <summary>A room with one network and one running machine on "src", and a pending migration of it to "dst".</summary>
    public async Task<string> SeedAsync(MigrationLimits? limits = null, string tuning = "policy", string? configuredBootId = null)
    {
        await using var db = await Db.CreateDbContextAsync();
        db.Templates.Add(new TemplateEntity { Name = "tiny", Sha256 = TemplateSha, Boot = "disk", SizeBytes = 50L << 20 });
        var room = new RoomEntity { Id = RoomId, Name = "lab", OwnerId = "u1", DefinitionJson = "{}", Generation = 1, ObservedGeneration = 1 };
        room.Networks.Add(new NetworkEntity { Id = "n0000001", RoomId = RoomId, Name = "lan", Cidr = "10.0.0.0/24", Mtu = 1450, Vni = 4242 });
        var machine = new MachineEntity
        {
            Id = MachineId, RoomId = RoomId, Name = "web", TemplateName = "tiny", TemplateSha256 = TemplateSha, Cpus = 1, MemoryBytes = 256L << 20,
            NodeName = "src", DesiredState = MachineStates.Running, ObservedState = MachineStates.Running, GuestReady = true,
            ConfiguredBootId = configuredBootId,
        };
        machine.Nics.Add(new NicEntity { Id = "c00001", MachineId = MachineId, NetworkId = "n0000001", Index = 0, Ip = "10.0.0.5", MacAddress = "52:54:00:c0:00:01" });
        room.Machines.Add(machine);
        db.Rooms.Add(room);
        var id = "mig00001";
        db.Migrations.Add(new MigrationEntity
        {
            Id = id, MachineId = MachineId, MachineName = "web", RoomId = RoomId, RoomName = "lab", OwnerId = "u1",
            SourceNode = "src", TargetNode = "dst", Mode = "live", State = MigrationStates.Pending, Phase = MigrationPhases.Pending,
            LimitsJson = MigrationJson.Write(limits ?? new MigrationLimits()), DiskTransfer = "overlay", Tuning = tuning, Tls = true,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Runs the migration to its end, bounded.</summary>
    public async Task<MigrationEntity> RunAsync(string id)
    {
        await Runner.RunAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return await MigrationAsync(id);
    }

    public async Task<MigrationEntity> MigrationAsync(string id)
    {
        await using var db = await Db.CreateDbContextAsync();
        return await db.Migrations.AsNoTracking().Include(m => m.Log).FirstAsync(m => m.Id == id);
    }

    public async Task<MachineEntity> MachineAsync()
    {
        await using var db = await Db.CreateDbContextAsync();
        return await db.Machines.AsNoTracking().FirstAsync(m => m.Id == MachineId);
    }

    public async ValueTask DisposeAsync()
    {
        // The passes' background work first: it would write into the database as it is deleted.
        await Reconciler.WhenIdleAsync(TimeSpan.FromSeconds(30));
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class Factory(DbContextOptions<SkillVlDbContext> options) : IDbContextFactory<SkillVlDbContext>
    {
        public SkillVlDbContext CreateDbContext() => new(options);
    }
}
