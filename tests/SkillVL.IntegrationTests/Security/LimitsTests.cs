using System.Net;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11, finding 5, against the real Server with a student's token: counts, text and CIDRs are refused by field
/// before anything exists on the host, and a network is a bridge only where a machine uses it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class LimitsTests(ITestOutputHelper output)
{
    private const string Header = "apiVersion: skillvl.io/v1\nkind: Room\n";

    [Fact]
    public async Task Issue11_CountsTextAndCidrs_AreRefusedNamingTheField_AndCreateNothing()
    {
        await using var server = await ServerHarness.StartAsync();
        using var student = await Users.AddAndLoginAsync(server, "probe", PlatformRoles.Student);
        var alias = $"skillvl:{server.InstanceId}";

        var networks = string.Concat(Enumerable.Range(0, 200).Select(i => $"  - {{ name: n{i}, cidr: 10.{i}.0.0/24 }}\n"));
        var nics = string.Join(", ", Enumerable.Range(0, 9).Select(i => $"{{ network: n{i} }}"));
        var cases = new (string Because, string Document, string Field)[]
        {
            ("200 networks", $"{Header}metadata: {{ name: many }}\nnetworks:\n{networks}", "networks"),
            ("33 machines", $"{Header}metadata: {{ name: many }}\nmachines:\n" + string.Concat(Enumerable.Range(0, 33).Select(i => $"  - {{ name: m{i}, template: tiny }}\n")), "machines"),
            ("9 NICs", $"{Header}metadata: {{ name: many }}\nnetworks:\n{string.Concat(networks.Split('\n').Take(9).Select(l => l + "\n"))}machines:\n  - {{ name: a, template: tiny, nics: [{nics}] }}\n", "machines[0].nics"),
            ("5000-character description", $"{Header}metadata: {{ name: long, description: {new string('x', 5000)} }}\n", "metadata.description"),
            ("long template name", $"{Header}metadata: {{ name: long }}\nmachines:\n  - {{ name: a, template: {new string('t', 200)} }}\n", "machines[0].template"),
            ("0.0.0.0/0", $"{Header}metadata: {{ name: wide }}\nnetworks: [{{ name: all, cidr: 0.0.0.0/0 }}]\n", "networks[0].cidr"),
            ("loopback", $"{Header}metadata: {{ name: lo }}\nnetworks: [{{ name: lo, cidr: 127.0.0.0/8 }}]\n", "networks[0].cidr"),
            ("multicast", $"{Header}metadata: {{ name: mc }}\nnetworks: [{{ name: ok, cidr: 10.0.0.0/24 }}, {{ name: mc, cidr: 224.0.0.0/24 }}]\n", "networks[1].cidr"),
            ("link-local", $"{Header}metadata: {{ name: ll }}\nnetworks: [{{ name: ll, cidr: 169.254.0.0/16 }}]\n", "networks[0].cidr"),
            ("reserved", $"{Header}metadata: {{ name: rs }}\nnetworks: [{{ name: rs, cidr: 240.0.0.0/4 }}]\n", "networks[0].cidr"),
            ("this network", $"{Header}metadata: {{ name: zero }}\nnetworks: [{{ name: z, cidr: 0.0.0.0/8 }}]\n", "networks[0].cidr"),
        };
        foreach (var (because, document, field) in cases)
        {
            using var response = await student.Client.PostAsync(ApiPaths.Rooms, Yaml(document));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: {(int)response.StatusCode} {body}");
            var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"{because}: expected an error on '{field}', got {errors}");
            output.WriteLine($"{because}: {field}: {messages[0].GetString()}");
        }

        // A 1 MB description: refused before it is parsed (413, the document's limit), as is anything over 128 KiB.
        using (var huge = await student.Client.PostAsync(ApiPaths.Rooms, Yaml($"{Header}metadata: {{ name: huge, description: {new string('x', 1_000_000)} }}\n")))
        {
            var body = await huge.Content.ReadAsStringAsync();
            Assert.True(huge.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)huge.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
            Assert.Equal("document", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
        }

        Assert.Equal("[]", await student.Client.GetStringAsync(ApiPaths.Rooms));
        Assert.Empty(await HostInterfaces.WithAliasAsync(alias));
    }

    [Fact]
    public async Task Issue11_TooManyRooms_AreRefused_AdminsExempt()
    {
        await using var server = await ServerHarness.StartAsync(o => o.Limits.RoomsPerUser = 3);
        using var student = await Users.AddAndLoginAsync(server, "hoarder", PlatformRoles.Student);
        for (var i = 0; i < 3; i++)
        {
            await Users.ReadAsync<TaskInfo>(await student.Client.PostAsync(ApiPaths.Rooms, Yaml($"{Header}metadata: {{ name: r{i} }}\n")), HttpStatusCode.Accepted);
        }

        using var fourth = await student.Client.PostAsync(ApiPaths.Rooms, Yaml($"{Header}metadata: {{ name: r3 }}\n"));
        var body = await fourth.Content.ReadAsStringAsync();
        output.WriteLine(body);
        Assert.True(fourth.StatusCode == HttpStatusCode.BadRequest, $"{(int)fourth.StatusCode}: {body}");
        Assert.Contains("already has 3 rooms", JsonDocument.Parse(body).RootElement.GetProperty("errors").GetProperty("rooms")[0].GetString(), StringComparison.Ordinal);

        // Updating an existing room is not a new room.
        await Users.ReadAsync<TaskInfo>(await student.Client.PutAsync(ApiPaths.Room("r0"), Yaml($"{Header}metadata: {{ name: r0, description: edited }}\n")), HttpStatusCode.Accepted);
        for (var i = 0; i < 4; i++)
        {
            await server.ApplyAsync($"{Header}metadata: {{ name: admin{i} }}\n");
        }
    }

    [Fact]
    public async Task Issue11_FiftyNetworksOneMachineOnOne_MakeExactlyOneBridge()
    {
        await using var server = await ServerHarness.StartAsync(o => o.Limits.NetworksPerRoom = 64);
        using var student = await Users.AddAndLoginAsync(server, "bridges", PlatformRoles.Student);
        var alias = $"skillvl:{server.InstanceId}";
        var networks = string.Concat(Enumerable.Range(0, 50).Select(i => $"  - {{ name: n{i}, cidr: 10.{i}.0.0/24 }}\n"));
        var room = $"{Header}metadata: {{ name: wide }}\nnetworks:\n{networks}machines:\n  - {{ name: a, template: tiny, memory: 128Mi, nics: [{{ network: n7, ip: 10.7.0.10 }}] }}\n";

        var task = await Users.ReadAsync<TaskInfo>(await student.Client.PutAsync(ApiPaths.Room("wide"), Yaml(room)), HttpStatusCode.Accepted);
        var done = await server.WaitTaskAsync(task.Id, TimeSpan.FromMinutes(3));
        Assert.True(done.State == TaskStates.Succeeded, ServerHarness.Describe(done));

        // Bridges are svb…, taps svt…: one of each. Two passes more, so a late bridge would have shown up.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var interfaces = await HostInterfaces.WithAliasAsync(alias);
        output.WriteLine(string.Join(", ", interfaces));
        Assert.Single(interfaces, i => i.StartsWith("svb", StringComparison.Ordinal));
        Assert.Equal(2, interfaces.Count);
        var details = await Users.ReadAsync<RoomDetails>(await student.Client.GetAsync(ApiPaths.Room("wide")), HttpStatusCode.OK);
        Assert.Equal(50, details.Networks.Count);

        // The machine moves to another network: the old bridge goes, the new one comes; still one.
        var moved = room.Replace("network: n7, ip: 10.7.0.10", "network: n9, ip: 10.9.0.10", StringComparison.Ordinal);
        task = await Users.ReadAsync<TaskInfo>(await student.Client.PutAsync(ApiPaths.Room("wide"), Yaml(moved)), HttpStatusCode.Accepted);
        done = await server.WaitTaskAsync(task.Id, TimeSpan.FromMinutes(3));
        Assert.True(done.State == TaskStates.Succeeded, ServerHarness.Describe(done));
        var bridgeOfN9 = "svb" + details.Networks.Single(n => n.Name == "n9").Id;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((interfaces = await HostInterfaces.WithAliasAsync(alias)).Count(i => i.StartsWith("svb", StringComparison.Ordinal)) != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        output.WriteLine(string.Join(", ", interfaces));
        Assert.Equal([bridgeOfN9], interfaces.Where(i => i.StartsWith("svb", StringComparison.Ordinal)));
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");
}
