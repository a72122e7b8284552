using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>
/// Issue 18's done-when for importers: each example of examples/import, turned into a room by the real CLI
/// (<c>skillvl room import</c>), applies with <c>skillvl room apply</c> and runs — its machines boot and reach each other
/// over the imported networks (through the imported router for KYPO and Ludus). One room at a time, deleted after it
/// (CI time: 8 guests at once would crowd 2 cores).
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RoomImportTests
{
    [Fact]
    public async Task EachExample_ImportsAppliesAndRuns()
    {
        SkillVL.TestUtilities.HostTools.RequireTool("dnsmasq", "dnsmasq-base");
        await using var server = await ServerHarness.StartAsync();
        var examples = Path.Combine(RepositoryRoot(), "examples", "import");

        // containerlab: the bridge node lan1 is a network; pc1 reaches r1 on it with the address its exec line gave.
        await ImportAndApplyAsync(server, "containerlab", Path.Combine(examples, "containerlab", "two-lans.clab.yml"), "two-lans");
        await AssertPingsAsync(server, "two-lans", "pc1", "10.10.1.1");
        await server.DeleteRoomAsync("two-lans");

        // KYPO: the attacker reaches the server on the other network through the imported router.
        await ImportAndApplyAsync(server, "kypo", Path.Combine(examples, "kypo", "topology.yml"), "junior-hacker");
        await AssertPingsAsync(server, "junior-hacker", "attacker", "10.1.26.9");
        await server.DeleteRoomAsync("junior-hacker");

        // Ludus: VLAN 99's kali reaches VLAN 10's ws01 through the router (inter_vlan_default: ACCEPT).
        await ImportAndApplyAsync(server, "ludus", Path.Combine(examples, "ludus", "range-config.yml"), "ad-lab", "--name", "ad-lab");
        await AssertPingsAsync(server, "ad-lab", "kali", "10.0.10.21");
        await server.DeleteRoomAsync("ad-lab");
    }

    private static async Task ImportAndApplyAsync(ServerHarness server, string format, string file, string room, params string[] extra)
    {
        var output = Path.Combine(server.Root, room + ".yaml");
        var import = await server.CliAsync(["room", "import", "--from", format, file, "-o", output, .. extra]);
        Assert.True(import.ExitCode == 0, $"import {format}: {import}");
        Assert.Contains("not mapped", import.Stderr, StringComparison.Ordinal);
        var apply = await server.CliAsync("room", "apply", "-f", output);
        Assert.True(apply.ExitCode == 0, $"apply of the imported {room}: {apply}\n{await File.ReadAllTextAsync(output)}");
    }

    private static async Task AssertPingsAsync(ServerHarness server, string room, string machine, string address)
    {
        var ping = await server.ExecAsync(room, machine, "ping", "-c", "2", "-W", "3", address);
        Assert.True(ping.ExitCode == 0, $"{room}/{machine} → {address}: {ping.Stdout}{ping.Stderr}");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SkillVL.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SkillVL.slnx not found above the test directory.");
    }
}
