using System.Text.Json;
using SkillVL.Core.Rooms;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>The real `skillvl` CLI binary against the real Server, configured by the file the Server leaves.</summary>
[Collection(VmCollection.Name)]
public sealed class CliEndToEndTests
{
    [Fact]
    public async Task Cli_AppliesRoom_ExecPassesGuestOutputAndExitCode_GetRoundTrips()
    {
        await using var server = await ServerHarness.StartAsync();
        var file = Path.Combine(server.Root, "room.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: cli }
            networks:
              - { name: lan, cidr: 10.5.0.0/24 }
            machines:
              - name: box
                template: tiny
                memory: 128Mi
                nics: [{ network: lan, ip: 10.5.0.7 }]
                ui: { x: 10, y: 20 }
            """);

        var apply = await server.CliAsync("room", "apply", "-f", file);
        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("ready", apply.Stdout + apply.Stderr, StringComparison.OrdinalIgnoreCase);

        var exec = await server.CliAsync("vm", "exec", "cli/box", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, exec.ExitCode);
        Assert.Equal("out\n", exec.Stdout);
        Assert.Equal("err\n", exec.Stderr);

        var yaml = await server.CliAsync("room", "get", "cli", "-o", "yaml");
        Assert.Equal(0, yaml.ExitCode);
        var parsed = RoomDocument.Parse(yaml.Stdout);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        Assert.Equal(10, parsed.Definition!.Machines[0].Ui!.X);

        var list = await server.CliAsync("room", "list", "-o", "json");
        using var rooms = JsonDocument.Parse(list.Stdout);
        Assert.Equal("cli", rooms.RootElement[0].GetProperty("name").GetString());

        var missing = await server.CliAsync("vm", "exec", "cli/nope", "--", "true");
        Assert.Equal(3, missing.ExitCode); // not found

        var bad = Path.Combine(server.Root, "bad.yaml");
        await File.WriteAllTextAsync(bad, "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: cli }\nmachines:\n  - { name: box, template: nosuch }\n");
        var invalid = await server.CliAsync("room", "apply", "-f", bad);
        Assert.Equal(4, invalid.ExitCode); // invalid input
        Assert.Contains("machines[0].template", invalid.Stderr, StringComparison.Ordinal);
    }
}
