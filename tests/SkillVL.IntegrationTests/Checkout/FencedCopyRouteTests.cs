using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Data;
using Xunit;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// <c>DELETE /rooms/{room}/machines/{machine}/fenced/{epoch}</c> on a running Server (ADR 0025): a bad epoch is 400
/// naming it, an epoch without a copy 404, a set-aside copy on a client that is not connected 503 with the record kept,
/// and a copy the client has not been back with is forgotten (204) and gone from the machine's view. The rows are
/// written as a revive and the client's return leave them (a real check-out needs the testbed: the lost-laptop part of CheckoutOfflineTestbedTests).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class FencedCopyRouteTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: lab
        networks:
          - name: lan
            cidr: 10.10.0.0/24
        machines:
          - name: pc
            template: tiny
            nics:
              - network: lan
                ip: 10.10.0.10
        """;

    [Fact]
    public async Task DiscardFenced_BadEpoch400_Unknown404_OfflineClient503_Unreturned204_AndDownload409_OrToAnotherStudent404()
    {
        await using var server = await ServerHarness.StartAsync();
        using var alice = await Users.AddAndLoginAsync(server, "alice", PlatformRoles.Student);
        await Users.ReadAsync<TaskInfo>(await alice.Client.PostAsync(ApiPaths.Rooms, new StringContent(Room, Encoding.UTF8, "application/yaml")), HttpStatusCode.Accepted);
        var lab = (await alice.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room("lab"), ServerHarness.Json))!;
        var pc = lab.Machines.Single();
        var factory = server.App.Services.GetRequiredService<IDbContextFactory<SkillVlDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            db.FencedCopies.Add(new FencedCopyEntity
            {
                MachineId = pc.Id, Node = "laptop9", Epoch = 2, RevivedBy = "alice", RevivedAt = DateTimeOffset.UtcNow,
                FencedAt = DateTimeOffset.UtcNow, Path = "/var/lib/skillvl/fenced/x-e2.qcow2", SizeBytes = 1 << 20,
            });
            db.FencedCopies.Add(new FencedCopyEntity { MachineId = pc.Id, Node = "laptop9", Epoch = 3, RevivedBy = "alice", RevivedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var path = ApiPaths.Machine("lab", "pc") + "/fenced/";
        var bad = await alice.Client.DeleteAsync(path + "two");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"epoch\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var unknown = await alice.Client.DeleteAsync(path + "7");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("epoch 7", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var offline = await alice.Client.DeleteAsync(path + "2");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, offline.StatusCode);
        Assert.Contains("node laptop9", await offline.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The download (ADR 0044): the same answers for the owner; another student cannot tell a copy exists (404, not
        // the owner's 409); every attempt is audited.
        using var bob = await Users.AddAndLoginAsync(server, "bob", PlatformRoles.Student);
        var disk = ApiPaths.Machine(lab.Id, "pc") + "/fenced/";
        var badDownload = await alice.Client.GetAsync(disk + "two/disk");
        Assert.Equal(HttpStatusCode.BadRequest, badDownload.StatusCode);
        Assert.Contains("\"epoch\"", await badDownload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var offlineDownload = await alice.Client.GetAsync(disk + "2/disk");
        Assert.Equal(HttpStatusCode.Conflict, offlineDownload.StatusCode);
        Assert.Contains("node laptop9", await offlineDownload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var notBack = await alice.Client.GetAsync(disk + "3/disk");
        Assert.Equal(HttpStatusCode.Conflict, notBack.StatusCode);
        Assert.Contains("has not been back", await notBack.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var other = await bob.Client.GetAsync(disk + "2/disk");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.DoesNotContain("laptop9", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using (var db = await factory.CreateDbContextAsync())
        {
            var audit = await db.Audit.AsNoTracking().Where(a => a.Action == "machine.fenced-download").OrderBy(a => a.Id).Select(a => a.Username + " " + a.Outcome).ToListAsync();
            Assert.Equal(["alice 409", "alice 409", "bob 404"], audit);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Client.DeleteAsync(path + "3")).StatusCode);
        var view = await alice.Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("lab", "pc"), ServerHarness.Json);
        Assert.Equal([2], view!.FencedCopies!.Select(f => f.Epoch));
    }
}
