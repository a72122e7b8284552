using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Api.Snapshots;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Data;
using SkillVL.Server.Nodes;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Snapshots through the HTTP API on the real embedded Server (issue 18, ADR 0051): a student's snapshot with RAM is
/// reverted and a file written after it is gone; another student gets 404 on every route; a bad name is a 400 naming
/// it, a duplicate, one over the per-machine limit and one of a migrating machine a 409; one over the disk quota a 422
/// that leaves nothing on the node; a machine with snapshots refuses a migration (409 naming them); the room-wide
/// routes; the rows go with the room.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SnapshotApiTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: snaps }
        machines:
          - { name: box, template: tiny }
        """;

    private static readonly string Snapshots = ApiPaths.Machine("snaps", "box") + "/snapshots";

    [Fact]
    public async Task Snapshots_RevertDropsLaterFile_OthersGet404_BadInputRefused_QuotaCounts_MigrationRefused()
    {
        await using var server = await ServerHarness.StartAsync(o => o.Limits.SnapshotsPerMachine = 2);
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        using var eve = await Users.AddAndLoginAsync(server, "eve", PlatformRoles.Student);
        var apply = await Users.ReadAsync<TaskInfo>(
            await sam.Client.PutAsync(ApiPaths.Room("snaps"), new StringContent(Room, System.Text.Encoding.UTF8, "application/yaml")), HttpStatusCode.Accepted);
        Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(apply.Id, TimeSpan.FromMinutes(3))).State);
        await ExecAsync(sam, "true");
        var machine = await Users.ReadAsync<MachineStatus>(await sam.Client.GetAsync(ApiPaths.Machine("snaps", "box")), HttpStatusCode.OK);

        // Bad names: 400 naming the field, nothing taken.
        foreach (var bad in new[] { "", "Has Caps", "-dash", new string('a', 33), "a/b" })
        {
            await ExpectAsync(sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest(bad, true), ServerHarness.Json), HttpStatusCode.BadRequest, "\"name\"");
        }

        // With RAM, then a file on the disk; the revert takes the machine back before it.
        var taken = await Users.ReadAsync<SnapshotInfo>(
            await sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("before", true), ServerHarness.Json), HttpStatusCode.Created);
        output.WriteLine($"taken: {taken}");
        Assert.True(taken is { Machine: "box", Name: "before", WithRam: true, CreatedBy: "sam", SizeBytes: > 0 });
        await ExpectAsync(sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("before", false), ServerHarness.Json), HttpStatusCode.Conflict, "already has");
        Assert.Equal(0, (await ExecAsync(sam, "sh", "-c", "echo later > /root/later && sync")).ExitCode);
        await Users.ReadAsync<SnapshotInfo>(await sam.Client.PostAsync(Snapshots + "/before/revert", null), HttpStatusCode.OK);
        Assert.NotEqual(0, (await ExecAsync(sam, "test", "-e", "/root/later")).ExitCode);

        // Another student sees none of it and can do none of it: 404 on every route, nothing changed.
        var roomPaths = ApiPaths.Room("snaps") + "/snapshots";
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Get, Snapshots), (HttpMethod.Post, Snapshots), (HttpMethod.Post, Snapshots + "/before/revert"),
                     (HttpMethod.Delete, Snapshots + "/before"), (HttpMethod.Get, roomPaths), (HttpMethod.Post, roomPaths),
                     (HttpMethod.Post, roomPaths + "/before/revert"), (HttpMethod.Delete, roomPaths + "/before"),
                 })
        {
            using var request = new HttpRequestMessage(method, path);
            if (method == HttpMethod.Post && !path.EndsWith("/revert", StringComparison.Ordinal))
            {
                request.Content = JsonContent.Create(new CreateSnapshotRequest("evil", false), options: ServerHarness.Json);
            }

            using var response = await eve.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"eve {method} {path}: {(int)response.StatusCode}");
        }

        Assert.Equal(["before"], (await ListAsync(sam)).Select(s => s.Name));

        // The per-machine limit (2 here): the third is a 409 naming the setting.
        await Users.ReadAsync<SnapshotInfo>(await sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("disk", false), ServerHarness.Json), HttpStatusCode.Created);
        await ExpectAsync(sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("third", false), ServerHarness.Json), HttpStatusCode.Conflict, "SnapshotsPerMachine");

        // A machine with snapshots does not move: they live in its disk and would be lost.
        await ExpectAsync(server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = machine.Id, to = "elsewhere" }, ServerHarness.Json),
            HttpStatusCode.Conflict, "has snapshots (before, disk)");

        // A migrating machine takes no snapshot (a row the runner would own, as the migration tests do).
        var db = server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>();
        await using (var context = await db.CreateDbContextAsync())
        {
            context.Migrations.Add(new MigrationEntity
            {
                Id = "running1", MachineId = machine.Id, MachineName = "box", RoomId = (await RoomIdAsync(context)), RoomName = "snaps",
                OwnerId = sam.Id, SourceNode = "local", TargetNode = "away1", Mode = "live", State = MigrationStates.Running,
                Phase = MigrationPhases.TransferDisk, LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy", CreatedAt = DateTimeOffset.UtcNow,
            });
            await context.SaveChangesAsync();
        }

        await ExpectAsync(sam.Client.DeleteAsync(Snapshots + "/disk"), HttpStatusCode.Conflict, "is migrating");
        await using (var context = await db.CreateDbContextAsync())
        {
            await context.Migrations.Where(m => m.Id == "running1").ExecuteDeleteAsync();
        }

        // Delete: 204, then 404.
        Assert.Equal(HttpStatusCode.NoContent, (await sam.Client.DeleteAsync(Snapshots + "/disk")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sam.Client.DeleteAsync(Snapshots + "/disk")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await sam.Client.DeleteAsync(Snapshots + "/before")).StatusCode);

        // The disk quota: sam's limit is the machine's disk plus 1 MiB; a snapshot with RAM is over it: 422 naming the
        // quota, no record and nothing left on the node.
        await using (var context = await db.CreateDbContextAsync())
        {
            var tiny = await context.Templates.SingleAsync(t => t.Name == "tiny");
            await context.Users.Where(u => u.Id == sam.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.QuotaDiskBytes, tiny.SizeBytes + (1L << 20)));
        }

        await ExpectAsync(sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("big", true), ServerHarness.Json),
            (HttpStatusCode)422, "\"quota\":\"disk\"");
        Assert.Empty(await ListAsync(sam));
        var node = server.App.Services.GetRequiredService<NodeRegistry>().Find("local")!;
        Assert.Empty(await node.Snapshots!.ListAsync(machine.Id, CancellationToken.None));
        await using (var context = await db.CreateDbContextAsync())
        {
            await context.Users.Where(u => u.Id == sam.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.QuotaDiskBytes, (long?)null));
        }

        // Room-wide: every machine at once, revert all, delete all.
        var all = await Users.ReadAsync<List<SnapshotInfo>>(
            await sam.Client.PostAsJsonAsync(roomPaths, new CreateSnapshotRequest("all", false), ServerHarness.Json), HttpStatusCode.Created);
        Assert.Equal(["box/all"], all.Select(s => $"{s.Machine}/{s.Name}"));
        Assert.Single(await Users.ReadAsync<List<SnapshotInfo>>(await sam.Client.GetAsync(roomPaths), HttpStatusCode.OK));
        await Users.ReadAsync<List<SnapshotInfo>>(await sam.Client.PostAsync(roomPaths + "/all/revert", null), HttpStatusCode.OK);
        await ExecAsync(sam, "true");
        Assert.Equal(HttpStatusCode.NoContent, (await sam.Client.DeleteAsync(roomPaths + "/all")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sam.Client.PostAsync(roomPaths + "/all/revert", null)).StatusCode);

        // The real CLI (as admin, naming sam's machine): create with RAM, list, revert, delete; a bad name exits 4 naming it.
        var cli = await server.CliAsync("vm", "snapshot", "create", "sam/snaps/box", "cli-1", "--ram");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        cli = await server.CliAsync("vm", "snapshot", "list", "sam/snaps/box");
        Assert.True(cli.ExitCode == 0 && cli.Stdout.Contains("cli-1", StringComparison.Ordinal) && cli.Stdout.Contains("yes", StringComparison.Ordinal), cli.ToString());
        cli = await server.CliAsync("vm", "snapshot", "revert", "sam/snaps/box", "cli-1");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        cli = await server.CliAsync("vm", "snapshot", "create", "sam/snaps/box", "Not_A_Slug");
        Assert.True(cli.ExitCode == 4 && cli.Stderr.Contains("name", StringComparison.Ordinal), cli.ToString());
        cli = await server.CliAsync("room", "snapshot", "delete", "sam/snaps", "cli-1");
        Assert.True(cli.ExitCode == 0, cli.ToString());
        cli = await server.CliAsync("vm", "snapshot", "delete", "sam/snaps/box", "cli-1");
        Assert.True(cli.ExitCode == 3, cli.ToString());

        // A snapshot left when the room goes: its record goes with it.
        await Users.ReadAsync<SnapshotInfo>(await sam.Client.PostAsJsonAsync(Snapshots, new CreateSnapshotRequest("left", false), ServerHarness.Json), HttpStatusCode.Created);
        var deletion = await Users.ReadAsync<TaskInfo>(await sam.Client.DeleteAsync(ApiPaths.Room("snaps")), HttpStatusCode.Accepted);
        Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(deletion.Id, TimeSpan.FromMinutes(2))).State);
        await using (var context = await db.CreateDbContextAsync())
        {
            Assert.Equal(0, await context.Snapshots.CountAsync());
        }
    }

    private static async Task<string> RoomIdAsync(SkillVlDbContext context) =>
        (await context.Rooms.SingleAsync(r => r.Name == "snaps")).Id;

    private static async Task<List<SnapshotInfo>> ListAsync(Users.Session user) =>
        await Users.ReadAsync<List<SnapshotInfo>>(await user.Client.GetAsync(Snapshots), HttpStatusCode.OK);

    private static async Task<ExecResponse> ExecAsync(Users.Session user, params string[] command) =>
        await Users.ReadAsync<ExecResponse>(
            await user.Client.PostAsJsonAsync(ApiPaths.Machine("snaps", "box") + "/exec", new ExecRequest(command, TimeSpan.FromSeconds(60)), ServerHarness.Json),
            HttpStatusCode.OK);

    private static async Task ExpectAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string contains)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        Assert.Contains(contains, body, StringComparison.Ordinal);
    }
}
