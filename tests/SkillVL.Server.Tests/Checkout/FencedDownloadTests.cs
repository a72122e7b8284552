using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Checkout;
using SkillVL.Server.Audit;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>
/// Downloading a fenced copy's disk (ADR 0044) against fake nodes: the machine "lab/web" of alice (u1) was revived on
/// "dst"; "src", its client, holds the set-aside copy of epoch 3. Who sees the room gets the exact bytes; anyone else
/// gets the 404 of a machine that does not exist; an offline client is a 409 naming it; each attempt is audited.
/// </summary>
public sealed class FencedDownloadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly CurrentUser Owner = new("u1", "alice", "student", "test", []);
    private static readonly CurrentUser OtherStudent = new("u2", "bob", "student", "test", []);
    private static readonly CurrentUser Admin = new("u3", "root", "admin", "test", []);

    [Fact]
    public async Task Download_ByTheOwner_StreamsTheExactBytes_ByAnotherStudent404_ByAnAdmin_AndEachIsAudited()
    {
        await using var harness = new MigrationRunnerHarness();
        var disk = await FencedAsync(harness);

        var owner = await OpenAsync(harness, Owner, "lab");
        Assert.Equal("lab-web-e3.qcow2", owner.Download!.FileName);
        Assert.Equal(disk, await ReadAllAsync(harness, Owner, owner.Download));

        var other = await OpenAsync(harness, OtherStudent, MigrationRunnerHarness.RoomId);
        Assert.Equal($"Machine '{MigrationRunnerHarness.RoomId}/web'", other.NotFound);
        Assert.Null(other.Download);

        var admin = await OpenAsync(harness, Admin, MigrationRunnerHarness.RoomId);
        Assert.Equal(disk, await ReadAllAsync(harness, Admin, admin.Download!));

        // The client was asked twice: the other student's request never reached it.
        Assert.Equal(2, harness.Log.Steps.Count(s => s == "src:checkouts.OpenFenced"));
        var audit = await AuditAsync(harness);
        Assert.Equal(
            [("alice", "opened"), ("alice", "completed"), ("bob", "404"), ("root", "opened"), ("root", "completed")],
            audit.Select(a => (a.Username!, a.Outcome)));
        Assert.All(audit.Where(a => a.Outcome == "completed"), a => Assert.Contains($"{disk.Length} of {disk.Length} bytes", a.Detail, StringComparison.Ordinal));
        Assert.All(audit, a => Assert.Equal("203.0.113.7", a.RemoteAddress));
    }

    [Fact]
    public async Task Download_FromAClientThatIsOffline_Is409NamingIt_AndAudited()
    {
        await using var harness = new MigrationRunnerHarness();
        await FencedAsync(harness, node: "laptop9");

        var result = await OpenAsync(harness, Owner, "lab");

        Assert.Null(result.Download);
        Assert.Contains("node laptop9", result.Conflict, StringComparison.Ordinal);
        Assert.Contains("offline", result.Conflict, StringComparison.Ordinal);
        Assert.Empty(harness.Log.Steps);
        Assert.Equal([("alice", "409")], (await AuditAsync(harness)).Select(a => (a.Username!, a.Outcome)));
    }

    [Fact]
    public async Task Download_OfACopyTheClientHasNotSetAsideYet_Is409_AndOfAnUnknownEpoch404()
    {
        await using var harness = new MigrationRunnerHarness();
        await FencedAsync(harness, setAside: false);

        Assert.Contains("has not been back since the revive", (await OpenAsync(harness, Owner, "lab")).Conflict, StringComparison.Ordinal);
        Assert.Equal("Fenced copy of 'lab/web' from check-out epoch 9", (await OpenAsync(harness, Owner, "lab", epoch: 9)).NotFound);
        Assert.Empty(harness.Log.Steps);
    }

    [Fact]
    public async Task Copy_OfAStreamThatEndsBeforeItsLength_Fails_AndOneThatStalls_Fails()
    {
        var shortDisk = new FencedDiskStream("m", 1, 10, new MemoryStream(new byte[4]));
        var (outcome, sent, reason) = await FencedDiskCopy.CopyAsync(shortDisk, Stream.Null, CancellationToken.None).WaitAsync(Bound);
        Assert.Equal((FencedDiskCopy.Failed, 4L), (outcome, sent));
        Assert.Contains("after 4 of 10 bytes", reason, StringComparison.Ordinal);

        var stalled = new FencedDiskStream("m", 1, 10, new StalledStream());
        var stall = await FencedDiskCopy.CopyAsync(stalled, Stream.Null, CancellationToken.None, TimeSpan.FromMilliseconds(100)).WaitAsync(Bound);
        Assert.Equal(FencedDiskCopy.Failed, stall.Outcome);
        Assert.Contains("nothing arrived", stall.Reason, StringComparison.Ordinal);
    }

    /// <summary>alice's room "lab" with "web" revived on "dst"; its copy of epoch 3 fenced on <paramref name="node"/>. Returns
    /// the disk's bytes the client holds.</summary>
    private static async Task<byte[]> FencedAsync(MigrationRunnerHarness harness, string node = "src", bool setAside = true)
    {
        var client = new FakeCheckoutDriver("src", harness.Log);
        harness.Source.Checkouts = client;
        await harness.SeedAsync();
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Migrations.ExecuteDeleteAsync();
        db.Users.AddRange(
            new UserEntity { Id = "u1", Username = "alice", Role = "student" },
            new UserEntity { Id = "u2", Username = "bob", Role = "student" },
            new UserEntity { Id = "u3", Username = "root", Role = "admin" });
        await db.Machines.ExecuteUpdateAsync(s => s.SetProperty(m => m.NodeName, "dst").SetProperty(m => m.CheckoutEpoch, 4));
        db.FencedCopies.Add(new FencedCopyEntity
        {
            MachineId = MigrationRunnerHarness.MachineId, Node = node, Epoch = 3, RevivedBy = "alice", RevivedAt = DateTimeOffset.UtcNow,
            FencedAt = setAside ? DateTimeOffset.UtcNow : null, Path = setAside ? "/data/fenced/x-e3.qcow2" : null,
        });
        await db.SaveChangesAsync();
        var disk = new byte[(1 << 20) + 12345];
        Random.Shared.NextBytes(disk);
        client.FencedDisks[(MigrationRunnerHarness.MachineId, 3)] = disk;
        return disk;
    }

    private static async Task<FencedDownloads.Result> OpenAsync(MigrationRunnerHarness harness, CurrentUser caller, string room, int epoch = 3)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        return await FencedDownloads.OpenAsync(db, new AccessService(db), harness.Nodes, new AuditService(harness.Db, TimeProvider.System), TimeProvider.System,
            caller, "203.0.113.7", room, "web", epoch, CancellationToken.None).WaitAsync(Bound);
    }

    /// <summary>What the API does with an open download: copies it to the caller (and records the end).</summary>
    private static async Task<byte[]> ReadAllAsync(MigrationRunnerHarness harness, CurrentUser caller, FencedDownloads.Opened download)
    {
        await using var _ = download.Disk;
        using var target = new MemoryStream();
        var outcome = await FencedDownloads.CopyAsync(new AuditService(harness.Db, TimeProvider.System), TimeProvider.System, caller, "203.0.113.7", download, target, CancellationToken.None)
            .WaitAsync(Bound);
        Assert.Equal(FencedDiskCopy.Completed, outcome);
        Assert.Equal(download.Disk.Length, target.Length);
        return target.ToArray();
    }

    private static async Task<List<AuditEntity>> AuditAsync(MigrationRunnerHarness harness)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        var entries = await db.Audit.AsNoTracking().Where(a => a.Action == FencedDownloads.AuditAction).OrderBy(a => a.Id).ToListAsync();
        // The target as the caller named it: alice by her room's name, the others by the room's id.
        Assert.All(entries, a => Assert.Equal(a.Username == "alice" ? "lab/web" : $"{MigrationRunnerHarness.RoomId}/web", a.Target));
        return entries;
    }

    /// <summary>A node that sends nothing more and never closes.</summary>
    private sealed class StalledStream : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
    }
}
