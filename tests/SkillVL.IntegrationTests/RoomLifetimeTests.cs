using System.Net;
using SkillVL.Core.Api;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Issue 18, ADR 0058: a room's lifetime stops its machines stopAfter its creation (a start is then refused, naming the
/// lifetime), and deletes it deleteAfter that — on a real Server with a real guest.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RoomLifetimeTests
{
    private const string ShortLived = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: brief }
        networks:
          - { name: lan, cidr: 192.168.51.0/24 }
        machines:
          - { name: vm, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 192.168.51.5 }] }
        lifetime: { stopAfter: 30s, deleteAfter: 15s }
        """;

    [Fact]
    public async Task Lifetime_StopsTheMachines_RefusesAStart_ThenDeletesTheRoom()
    {
        await using var server = await ServerHarness.StartAsync(o => o.RoomLifetimeInterval = TimeSpan.FromSeconds(1));
        await server.ApplyAsync(ShortLived);
        var room = await server.GetRoomAsync("brief");
        Assert.Equal(room.CreatedAt.AddSeconds(30), room.StopsAt);
        Assert.Equal(room.CreatedAt.AddSeconds(45), room.DeletesAt);
        Assert.Equal("running", (await server.GetMachineAsync("brief", "vm")).State);

        await Bounded.WaitUntilAsync(
            async () => (await server.GetMachineAsync("brief", "vm")).State == "stopped",
            TimeSpan.FromSeconds(60), "the lifetime to stop the machine", TimeSpan.FromMilliseconds(500));
        Assert.True(DateTimeOffset.UtcNow >= room.StopsAt, "stopped before its time");
        Assert.Empty(server.QemuProcesses());

        using (var start = await server.Client.PostAsync("/api/v1/rooms/brief/machines/vm/start", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, start.StatusCode);
            Assert.Contains("reached the end of its lifetime", await start.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Bounded.WaitUntilAsync(
            async () =>
            {
                using var get = await server.Client.GetAsync(ApiPaths.Room("brief"));
                return get.StatusCode == HttpStatusCode.NotFound;
            },
            TimeSpan.FromSeconds(60), "the lifetime to delete the room", TimeSpan.FromMilliseconds(500));
        Assert.True(DateTimeOffset.UtcNow >= room.DeletesAt, "deleted before its time");
    }
}
