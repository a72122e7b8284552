using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.IntegrationTests;

[Collection(VmCollection.Name)]
public sealed class RoomDeletionTests
{
    [Fact]
    public async Task DeletingRoom_LeavesNoProcessTapBridgeDiskOrRuntimeFile()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: twonets }
            networks:
              - { name: front, cidr: 10.1.0.0/24 }
              - { name: back, cidr: 10.2.0.0/24 }
            machines:
              - { name: gw, template: tiny, memory: 128Mi, nics: [{ network: front, ip: 10.1.0.1 }, { network: back, ip: 10.2.0.1 }] }
              - { name: db, template: tiny, memory: 128Mi, nics: [{ network: back, ip: 10.2.0.2 }] }
            """);
        var alias = $"skillvl:{server.InstanceId}";
        Assert.Equal(2, server.QemuProcesses().Count);
        // 2 bridges + 3 taps while it runs: the check below can see them.
        Assert.Equal(5, (await HostInterfaces.WithAliasAsync(alias)).Count);

        var task = await server.DeleteRoomAsync("twonets");

        Assert.Contains("deleted", task.Outcome, StringComparison.Ordinal);
        Assert.Empty(server.QemuProcesses());
        Assert.Empty(await HostInterfaces.WithAliasAsync(alias));
        Assert.Empty(Entries(Path.Combine(server.DataDirectory, "vms")));
        Assert.Empty(Entries(Path.Combine(server.RuntimeDirectory, "vms")));
        var rooms = await server.Client.GetStringAsync("/api/v1/rooms");
        Assert.Equal("[]", rooms);
    }

    private static string[] Entries(string directory) =>
        Directory.Exists(directory) ? Directory.GetFileSystemEntries(directory) : [];
}
