using System.Net;
using System.Net.Http.Json;
using System.Text;
using SkillVL.Core.Api;
using Xunit;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>VNIs are unique across rooms, reused after a delete, and an exhausted pool is a clear 409 with nothing created.</summary>
[Collection(VmCollection.Name)]
public sealed class VniPoolTests
{
    private static StringContent Room(string name, int networks) => new(
        $"apiVersion: skillvl.io/v1\nkind: Room\nmetadata: {{ name: {name} }}\nnetworks:\n"
        + string.Concat(Enumerable.Range(0, networks).Select(i => $"  - {{ name: n{i}, cidr: 10.{60 + i}.0.0/24 }}\n")),
        Encoding.UTF8,
        "application/yaml");

    [Fact]
    public async Task PoolOfTwo_ThirdNetworkRefused_DeleteFreesIt()
    {
        await using var server = await ServerHarness.StartAsync(o => (o.Overlay.VniFirst, o.Overlay.VniLast) = (5000, 5001));

        Assert.Equal(HttpStatusCode.Accepted, (await server.Client.PostAsync(ApiPaths.Rooms, Room("two", 2))).StatusCode);
        using (var refused = await server.Client.PostAsync(ApiPaths.Rooms, Room("three", 1)))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("VNI pool (5000-5001) is exhausted", body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain((await server.Client.GetFromJsonAsync<List<RoomSummary>>(ApiPaths.Rooms, ServerHarness.Json))!, r => r.Name == "three");
        await server.DeleteRoomAsync("two");
        Assert.Equal(HttpStatusCode.Accepted, (await server.Client.PostAsync(ApiPaths.Rooms, Room("three", 1))).StatusCode);
    }
}
