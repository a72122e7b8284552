using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Data;
using Xunit;

namespace SkillVL.IntegrationTests.Migrations;

/// <summary>
/// Issue 6, bad input, on the real embedded Server with one node: every refused migration answers 400 naming the
/// field (409 for a machine that is already migrating, 404 for one the caller cannot see), creates nothing and leaves
/// the machine running where it was, with the same guest boot — through the API and the real CLI.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class MigrationBadInputTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: mig }
        networks:
          - { name: lan, cidr: 10.61.0.0/24 }
        machines:
          - name: web
            template: tiny
            memory: 128Mi
            nics: [{ network: lan, ip: 10.61.0.5 }]
        """;

    public static TheoryData<string, object, string> BadRequests => new()
    {
        { "unknown node", new { machine = "mig/web", to = "nowhere" }, "to" },
        { "same node", new { machine = "mig/web", to = "local" }, "to" },
        { "drained node", new { machine = "mig/web", to = "drained1" }, "to" },
        { "unreachable node", new { machine = "mig/web", to = "away1" }, "to" },
        { "no target", new { machine = "mig/web" }, "to" },
        { "no machine", new { to = "away1" }, "machine" },
        { "zero bandwidth", new { machine = "mig/web", to = "away1", maxBandwidth = "0Mbit" }, "maxBandwidth" },
        { "negative bandwidth", new { machine = "mig/web", to = "away1", maxBandwidth = "-5Mbit" }, "maxBandwidth" },
        { "bandwidth without unit", new { machine = "mig/web", to = "away1", maxBandwidth = "50" }, "maxBandwidth" },
        { "downtime below 1 ms", new { machine = "mig/web", to = "away1", downtimeLimit = "0.5ms" }, "downtimeLimit" },
        { "max downtime below the limit", new { machine = "mig/web", to = "away1", downtimeLimit = "300ms", maxDowntime = "100ms" }, "maxDowntime" },
        { "unknown mode", new { machine = "mig/web", to = "away1", mode = "sideways" }, "mode" },
        { "offline mode", new { machine = "mig/web", to = "away1", mode = "offline" }, "mode" },
        { "unknown disk transfer", new { machine = "mig/web", to = "away1", diskTransfer = "partial" }, "diskTransfer" },
        { "unknown tuning", new { machine = "mig/web", to = "away1", tuning = "fast" }, "tuning" },
        { "link without rtt", new { machine = "mig/web", to = "away1", link = new { bandwidth = "50Mbit" } }, "link.rtt" },
        { "link of zero bandwidth", new { machine = "mig/web", to = "away1", link = new { bandwidth = "0Mbit", rtt = "40ms" } }, "link.bandwidth" },
    };

    [Fact]
    public async Task BadMigrations_AreRefusedNamingTheField_NothingCreated_MachineUntouched()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        var before = await server.GetMachineAsync("mig", "web");
        var bootBefore = (await server.ExecAsync("mig", "web", "cat", "/proc/sys/kernel/random/boot_id")).Stdout;
        await EnrolAsync(server, "drained1");
        await EnrolAsync(server, "away1");
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.PostAsync(ApiPaths.Nodes + "/drained1/drain", null)).StatusCode);

        foreach (var (because, body, field) in BadRequests.Select(r => ((string)r[0], r[1], (string)r[2])))
        {
            using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, body, ServerHarness.Json);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: {(int)response.StatusCode} {text}");
            using var problem = JsonDocument.Parse(text);
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out var messages), $"{because}: expected an error on '{field}', got {text}");
            Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        }

        // Someone who cannot see the machine learns nothing: 404, whatever else is wrong.
        using (var bob = await Auth.Users.AddAndLoginAsync(server, "bob", PlatformRoles.Student))
        {
            using var response = await bob.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = before.Id, to = "nowhere", maxBandwidth = "0Mbit" }, ServerHarness.Json);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // A machine that is already migrating (a row the runner would own): 409, by id or by room/name.
        var db = server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>();
        await using (var context = await db.CreateDbContextAsync())
        {
            context.Migrations.Add(new MigrationEntity
            {
                Id = "running1", MachineId = before.Id, MachineName = "web", RoomId = (await server.GetRoomAsync("mig")).Id, RoomName = "mig",
                OwnerId = "x", SourceNode = "local", TargetNode = "away1", Mode = "live", State = MigrationStates.Running,
                Phase = MigrationPhases.TransferDisk, LimitsJson = "{}", DiskTransfer = "overlay", Tuning = "policy", CreatedAt = DateTimeOffset.UtcNow,
            });
            await context.SaveChangesAsync();
        }

        foreach (var machine in new[] { before.Id, "mig/web" })
        {
            using var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine, to = "away1" }, ServerHarness.Json);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{machine}: {(int)response.StatusCode} {text}");
            Assert.Contains("already running", text, StringComparison.Ordinal);
        }

        await using (var context = await db.CreateDbContextAsync())
        {
            await context.Migrations.Where(m => m.Id == "running1").ExecuteDeleteAsync();
        }

        // The real CLI: the field and its message on stderr, exit 4 (invalid input); a missing machine, exit 3.
        var cli = await server.CliAsync("vm", "migrate", "mig/web", "--to", "nowhere");
        Assert.True(cli.ExitCode == 4, cli.ToString());
        Assert.Contains("to: 'nowhere' is not a known node", cli.Stderr, StringComparison.Ordinal);
        cli = await server.CliAsync("vm", "migrate", "mig/web", "--to", "away1", "--max-bandwidth", "0Mbit");
        Assert.True(cli.ExitCode == 4, cli.ToString());
        Assert.Contains("maxBandwidth: must be more than 0", cli.Stderr, StringComparison.Ordinal);
        cli = await server.CliAsync("vm", "migrate", "mig/nope", "--to", "away1");
        Assert.True(cli.ExitCode == 3, cli.ToString());

        // Nothing was created, the machine did not move or restart.
        var listed = await server.Client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json);
        Assert.Empty(listed!);
        var after = await server.GetMachineAsync("mig", "web");
        Assert.Equal(("local", "running"), (after.Node, after.State));
        Assert.Equal(bootBefore, (await server.ExecAsync("mig", "web", "cat", "/proc/sys/kernel/random/boot_id")).Stdout);

        // A stopped machine cannot move live.
        await server.PostTaskAsync(ApiPaths.Machine("mig", "web") + "/stop", TimeSpan.FromMinutes(2));
        using (var response = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new { machine = "mig/web", to = "away1", mode = "live" }, ServerHarness.Json))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
            Assert.Contains("\"mode\"", text, StringComparison.Ordinal);
            Assert.Contains("is stopped", text, StringComparison.Ordinal);
        }

        Assert.Empty((await server.Client.GetFromJsonAsync<List<MigrationInfo>>(ApiPaths.Migrations, ServerHarness.Json))!);
    }

    /// <summary>A node that enrolled but whose agent never connected: known, unreachable.</summary>
    private static async Task EnrolAsync(ServerHarness server, string name)
    {
        var join = await Auth.Users.ReadAsync<JoinTokenInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10), ServerHarness.Json), HttpStatusCode.OK);
        using var anonymous = server.ClientWith(null);
        using var enrolled = await anonymous.PostAsJsonAsync(AgentPaths.Enrol, new EnrolRequest(join.Token, name, "client"), ServerHarness.Json);
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
    }
}
