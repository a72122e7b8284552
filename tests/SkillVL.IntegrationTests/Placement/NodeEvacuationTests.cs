using Xunit;

namespace SkillVL.IntegrationTests.Placement;

/// <summary>
/// <c>skillvl node drain NODE --evacuate</c> (ADR 0030) on a real single-node Server with a running tiny guest: there is no
/// other node, so the machine stays, is named with the reason, and the exit code says the node is not empty. (Moving
/// machines to another node is the migration engine's, tested on the testbed.)
/// </summary>
[Collection(VmCollection.Name)]
public sealed class NodeEvacuationTests
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata:
          name: evac
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
    public async Task DrainEvacuate_WithNoOtherNode_NamesTheMachineThatStays_AndExitsNonZero()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);

        var result = await server.CliAsync("node", "drain", "local", "--evacuate");

        Assert.True(result.ExitCode == 7, $"exit {result.ExitCode}: {result.Stdout} {result.Stderr}");
        Assert.Contains("node local drained", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(result.Stdout.Split('\n'), l => l.StartsWith("evac/pc", StringComparison.Ordinal)
            && l.Contains("no other connected, undrained server or edge node", StringComparison.Ordinal));
        Assert.Contains("1 of 1 machine(s) stay on local: evac/pc", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, (await server.CliAsync("node", "drain", "nosuch", "--evacuate")).ExitCode);

        Assert.Equal(0, (await server.CliAsync("node", "undrain", "local")).ExitCode);
        await server.DeleteAllRoomsAsync();
    }
}
