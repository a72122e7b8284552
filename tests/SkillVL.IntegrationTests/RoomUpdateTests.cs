using Xunit;

namespace SkillVL.IntegrationTests;

[Collection(VmCollection.Name)]
public sealed class RoomUpdateTests
{
    [Fact]
    public async Task ApplyingChangedDefinition_ConvergesAddressesAndMachines()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: grow }
            networks:
              - { name: lan, cidr: 10.9.0.0/24 }
            machines:
              - { name: a, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.9.0.10 }] }
            """);
        var pidBefore = await server.QemuPidAsync("grow", "a");

        var task = await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: grow }
            networks:
              - { name: lan, cidr: 10.9.0.0/24 }
            machines:
              - { name: a, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.9.0.99 }] }
              - { name: b, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.9.0.20 }] }
            """);

        Assert.Contains("generation 2", task.Log[0].Message, StringComparison.Ordinal);
        // The address change is applied live through the guest agent: same QEMU process, new address.
        Assert.Equal(pidBefore, await server.QemuPidAsync("grow", "a"));
        var address = await server.ExecAsync("grow", "a", "ip", "-o", "-4", "addr", "show");
        Assert.Contains("10.9.0.99/24", address.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.0.10/", address.Stdout, StringComparison.Ordinal);
        var ping = await server.ExecAsync("grow", "b", "ping", "-c", "1", "-W", "2", "10.9.0.99");
        Assert.Equal(0, ping.ExitCode);
        var room = await server.GetRoomAsync("grow");
        Assert.Equal(2, room.ObservedGeneration);
        Assert.Equal(2, room.Machines.Count);
    }
}
