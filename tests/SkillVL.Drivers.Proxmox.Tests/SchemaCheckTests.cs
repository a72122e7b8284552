using SkillVL.Drivers.Proxmox.Api;
using SkillVL.ProxmoxSimulator;

namespace SkillVL.Drivers.Proxmox.Tests;

/// <summary>
/// Deliver 3a: every request the backend can make is allowed by the official PVE 9.1 schema. Two halves: every endpoint
/// in <see cref="PveEndpoints"/> exists with its method (even ones no test sends), and every request actually sent to
/// the simulator is judged parameter by parameter (SimulatorFixture fails a test that sent one the schema refuses).
/// These tests prove the judge can fail.
/// </summary>
public sealed class SchemaCheckTests
{
    private static readonly PveSchema Schema = PveSchema.Instance;

    [Fact]
    public void EveryEndpointOfTheClient_ExistsInTheSchema()
    {
        Assert.Equal(649, Schema.Count);
        Assert.All(PveEndpoints.All, e => Assert.True(Schema.HasMethod(e.Method, e.PathTemplate), $"{e} is not in the PVE 9.1 schema"));
    }

    [Theory]
    [InlineData("GET", "/nodes/pve1/qemu/100/clone")] // clone is POST
    [InlineData("GET", "/cluster/nextvmid")] // no such path
    [InlineData("PATCH", "/version")]
    public void UnknownPathOrMethod_HasNoMatch(string method, string path) => Assert.Null(Schema.Match(method, path));

    [Theory]
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "name=x", "newid")] // required newid missing
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=abc", "newid")] // not an integer
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=42", "newid")] // below the minimum of 100
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=101&full=true", "full")] // form-encoded true: PVE's classic 400
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=101&format=qcow3", "format")] // not in the enum
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=101&name=no_underscores", "name")] // dns-name format
    [InlineData("POST", "/nodes/pve1/qemu/100/clone", "newid=101&colour=blue", "colour")] // not defined
    [InlineData("POST", "/nodes/pve_1/qemu/100/status/start", "", "node")] // pve-node format in the path
    [InlineData("POST", "/cluster/sdn/vnets", "vnet=roomnet123&zone=rooms", "vnet")] // SDN ids are at most 8 characters
    [InlineData("PUT", "/nodes/pve1/qemu/100/config", "net0=virtio,bridge=room1,speed=10", "net0")] // not a key of the net format
    [InlineData("POST", "/nodes/pve1/qemu/100/status/start", "timeout=5&timeout=6", "timeout")] // repeated, not an array
    [InlineData("PUT", "/nodes/pve1/qemu/100/config", "tags=skillvl;room/1", "tags")] // pve-tag-list: no '/'
    public void BadRequest_IsCaughtAndNamesTheParameter(string method, string path, string query, string parameter)
    {
        var match = Schema.Match(method, path)!;
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();

        var problems = Schema.Validate(match, parameters);

        Assert.Contains(parameter, problems.Keys);
    }

    [Fact]
    public void GoodRequests_PassTheSameJudge()
    {
        var clone = Schema.Match("POST", "/nodes/pve1/qemu/9000/clone")!;
        Assert.Empty(Schema.Validate(clone, [new("newid", "101"), new("name", "web-1"), new("full", "0"), new("pool", "skillvl")]));

        var exec = Schema.Match("POST", "/nodes/pve1/qemu/101/agent/exec")!;
        Assert.Empty(Schema.Validate(exec, [new("command", "ls"), new("command", "-la")]));

        var config = Schema.Match("PUT", "/nodes/pve1/qemu/101/config")!;
        Assert.Empty(Schema.Validate(config, [new("net0", "virtio,bridge=room1,firewall=1"), new("tags", "skillvl;room-42")]));
    }

    [Fact]
    public async Task DeliberatelyBadRequest_ThroughTheClient_IsRefusedByTheSimulatorAndRecorded()
    {
        await using var fixture = await SimulatorFixture.StartAsync();
        fixture.ExpectViolations = true;
        using var client = fixture.Client();

        // A boolean sent the way many clients first do (form-encoded "true"): PVE answers 400, so does the simulator.
        var e = await Assert.ThrowsAsync<ProxmoxException>(() => client.Http.SendAsync(
            HttpMethod.Post, "/nodes/{node}/qemu/{vmid}/clone", ["pve1", "9000"], new PveParameters().Add("newid", "101").Add("full", "true"), CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<ProxmoxException>(() => client.Http.SendAsync(
            HttpMethod.Get, "/cluster/nextvmid", [], null, CancellationToken.None));

        Assert.Equal(400, e.StatusCode);
        Assert.Contains("type check ('boolean') failed", e.Errors["full"], StringComparison.Ordinal);
        Assert.Equal(501, unknown.StatusCode);
        Assert.Equal(2, fixture.Simulator.Violations.Count);
        Assert.DoesNotContain(101L, fixture.Simulator.Vms.Keys);
    }
}
