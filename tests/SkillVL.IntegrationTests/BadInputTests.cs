using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace SkillVL.IntegrationTests;

/// <summary>Every kind of bad room document is refused with a 400 that names the field, and nothing is created.</summary>
public sealed class BadInputTests(BadInputTests.ServerFixture fixture) : IClassFixture<BadInputTests.ServerFixture>
{
    private const string Header = "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: bad }\n";

    private readonly ServerHarness _server = fixture.Server;

    public static TheoryData<string, string, string> Documents => new()
    {
        { "malformed YAML", "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: bad\nmachines: [", "document" },
        { "schema: name", "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: Bad_Name }\n", "metadata.name" },
        { "schema: unknown field", Header + "machines:\n  - { name: a, template: tiny, colour: red }\n", "machines[0].colour" },
        { "schema: bad ip", Header + "networks: [{ name: lan, cidr: 10.0.0.0/24 }]\nmachines:\n  - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.0.300 }] }\n", "machines[0].nics[0].ip" },
        { "unknown template", Header + "machines:\n  - { name: a, template: windows-xp }\n", "machines[0].template" },
        { "duplicate machine", Header + "machines:\n  - { name: a, template: tiny }\n  - { name: a, template: tiny }\n", "machines[1].name" },
        { "duplicate network", Header + "networks:\n  - { name: lan, cidr: 10.0.0.0/24 }\n  - { name: lan, cidr: 10.9.0.0/24 }\n", "networks[1].name" },
        { "NIC on unknown network", Header + "machines:\n  - { name: a, template: tiny, nics: [{ network: wan }] }\n", "machines[0].nics[0].network" },
        { "IP outside CIDR", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24 }]\nmachines:\n  - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.9.9 }] }\n", "machines[0].nics[0].ip" },
        { "IP used twice", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24 }]\nmachines:\n  - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.5 }] }\n  - { name: b, template: tiny, nics: [{ network: lan, ip: 10.0.1.5 }] }\n", "machines[1].nics[0].ip" },
        { "overlapping CIDRs", Header + "networks:\n  - { name: a, cidr: 10.0.0.0/16 }\n  - { name: b, cidr: 10.0.5.0/24 }\n", "networks[1].cidr" },
        { "memory beyond node", Header + "machines:\n  - { name: a, template: tiny, memory: 64Ti }\n", "machines[0].memory" },
        { "CPUs beyond node", Header + "machines:\n  - { name: a, template: tiny, cpus: 64 }\n", "machines[0].cpus" },
        { "router outside its network", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24 }]\nrouters:\n  - { name: r1, interfaces: [{ network: lan, ip: 10.0.9.1 }] }\n", "routers[0].interfaces[0].ip" },
        { "DHCP over a static address", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24, dhcp: { range: 10.0.1.2-10.0.1.50 } }]\nrouters: [{ name: r1, interfaces: [{ network: lan, ip: 10.0.1.1 }] }]\nmachines:\n  - { name: a, template: tiny, nics: [{ network: lan, ip: 10.0.1.10 }] }\n", "networks[0].dhcp.range" },
        { "gateway off the machine's networks", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24 }]\nmachines:\n  - { name: a, template: tiny, gateway: 10.0.2.1, nics: [{ network: lan, ip: 10.0.1.10 }] }\n", "machines[0].gateway" },
        { "internet nat without an uplink", Header + "networks: [{ name: lan, cidr: 10.0.1.0/24, internet: nat }]\n", "networks[0].internet" },
    };


    [Theory]
    [MemberData(nameof(Documents))]
    public async Task BadDocument_Is400NamingTheField_AndCreatesNothing(string because, string document, string field)
    {
        using var content = new StringContent(document, Encoding.UTF8, "application/yaml");
        using var response = await _server.Client.PostAsync("/api/v1/rooms", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"{because}: expected an error on '{field}', got {errors}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        await AssertNothingCreatedAsync();
    }

    [Fact]
    public async Task ExistingName_OnCreate_Is409_AndTheRoomIsUnchanged()
    {
        const string empty = "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: taken }\nnetworks: [{ name: lan, cidr: 10.0.0.0/24 }]\n";
        using (var first = await _server.Client.PostAsync("/api/v1/rooms", new StringContent(empty, Encoding.UTF8, "application/yaml")))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        var again = empty.Replace("10.0.0.0/24", "10.7.0.0/24", StringComparison.Ordinal);
        using var second = await _server.Client.PostAsync("/api/v1/rooms", new StringContent(again, Encoding.UTF8, "application/yaml"));
        var body = await second.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("taken", body, StringComparison.Ordinal);
        var room = await _server.GetRoomAsync("taken");
        Assert.Equal(1, room.Generation);
        Assert.Equal("10.0.0.0/24", Assert.Single(room.Networks).Cidr);
        await _server.DeleteRoomAsync("taken");
    }

    [Fact]
    public async Task NameInUrl_MustMatchDocument()
    {
        const string doc = "apiVersion: skillvl.io/v1\nkind: Room\nmetadata: { name: one }\n";
        using var response = await _server.Client.PutAsync("/api/v1/rooms/other", new StringContent(doc, Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("metadata.name", body, StringComparison.Ordinal);
        await AssertNothingCreatedAsync();
    }

    private async Task AssertNothingCreatedAsync()
    {
        Assert.Equal("[]", await _server.Client.GetStringAsync("/api/v1/rooms"));
        Assert.Empty(await SkillVL.TestUtilities.HostInterfaces.WithAliasAsync($"skillvl:{_server.InstanceId}"));
        Assert.Empty(_server.QemuProcesses());
    }

    /// <summary>One Server for all cases of this class: none of them boots a VM.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        public ServerHarness Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await ServerHarness.StartAsync();

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }
}
