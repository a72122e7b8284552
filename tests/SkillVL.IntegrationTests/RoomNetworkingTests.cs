using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>Rooms boot real guests; machines of a room reach each other; rooms do not reach each other.</summary>
[Collection(VmCollection.Name)]
public sealed class RoomNetworkingTests
{
    [Fact]
    public async Task RoomsWithSameCidr_MachinesReachEachOtherInsideButNotAcrossRooms()
    {
        await using var server = await ServerHarness.StartAsync();
        await Task.WhenAll(
            server.ApplyAsync("""
                apiVersion: skillvl.io/v1
                kind: Room
                metadata: { name: red }
                networks:
                  - { name: lan, cidr: 10.0.1.0/24 }
                machines:
                  - { name: a, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.0.1.10 }] }
                  - { name: b, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.0.1.11 }] }
                """),
            server.ApplyAsync("""
                apiVersion: skillvl.io/v1
                kind: Room
                metadata: { name: blue }
                networks:
                  - { name: lan, cidr: 10.0.1.0/24 }
                machines:
                  - { name: c, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.0.1.12 }] }
                """));

        var inside = await server.ExecAsync("red", "a", "ping", "-c", "2", "-W", "2", "10.0.1.11");
        Assert.True(inside.ExitCode == 0, $"a → b inside room red failed: {inside.Stdout}{inside.Stderr}");

        var across = await server.ExecAsync("red", "a", "ping", "-c", "2", "-W", "1", "10.0.1.12");
        Assert.True(across.ExitCode != 0, $"a in red reached c in blue: {across.Stdout}");
        var back = await server.ExecAsync("blue", "c", "ping", "-c", "2", "-W", "1", "10.0.1.10");
        Assert.True(back.ExitCode != 0, $"c in blue reached a in red: {back.Stdout}");

        // The room's addressing is what the definition says (applied through the guest agent).
        var address = await server.ExecAsync("red", "b", "/bin/sh", "-c", "ip -o -4 addr show; hostname; cat /sys/class/net/eth0/mtu");
        Assert.Contains("10.0.1.11/24", address.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nb\n", address.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("1450\n", address.Stdout, StringComparison.Ordinal);
        var room = await server.GetRoomAsync("red");
        Assert.Equal("Ready", room.Phase);
        Assert.All(room.Machines, m => Assert.True(m.State == "running" && m.GuestReady, $"{m.Name}: {m.State}"));
    }
}
