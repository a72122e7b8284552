using System.Diagnostics;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.Testbed;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// Issue 12 with the real Server and skillvl-agent: a client behind NAT enrols through its router (its agent reaches
/// the Server over the underlay, so through the NAT), and <c>testbed down</c> removes the nodes at the Server, so
/// the next <c>up</c> enrols the same names again (it failed with "a node named 'node1' is already enrolled").
/// </summary>
[Collection(VmCollection.Name)]
public sealed class TestbedServerSideTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TestbedDown_RemovesItsNodesAtTheServer_SoTheNextUpEnrolsTheSameNames_BehindNatToo()
    {
        await using var server = await ServerHarness.StartAsync();
        var state = Path.Combine(server.Root, "testbed");
        var socket = Path.Combine(server.RuntimeDirectory, "agent.sock");
        var prefix = "ns" + Guid.NewGuid().ToString("N")[..4];
        var subnet = await FreeUnderlay.PickAsync();
        var progress = new StringWriter();
        UnderlayServerRelay? relay = null;
        try
        {
            for (var round = 1; round <= 2; round++)
            {
                // A fresh controller per round, as two `skillvl-testbed` runs: down finds the admin token in the file up read.
                var testbed = new TestbedController(progress);
                var clock = Stopwatch.StartNew();
                await testbed.UpAsync(
                    new UpRequest
                    {
                        Nodes = 1,
                        Clients = ["laptop1"],
                        BehindNat = true,
                        Prefix = prefix,
                        Subnet = subnet,
                        StateDirectory = state,
                        Server = "unix:" + socket,
                        AdminTokenFile = Path.Combine(server.DataDirectory, "admin-token"),
                        AgentCommand = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll"),
                        AgentServerOnUnderlay = async (address, _) =>
                        {
                            if (relay is not null)
                            {
                                await relay.DisposeAsync();
                            }

                            relay = UnderlayServerRelay.Start(address, socket);
                            return relay.Url;
                        },
                    },
                    CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
                var nodes = await WaitNodesAsync(server, "node1", "laptop1");
                output.WriteLine($"round {round}: node1 and laptop1 (behind NAT) ready in {clock.Elapsed.TotalSeconds:F1} s; "
                    + string.Join(", ", nodes.Select(n => $"{n.Name} {n.Kind} {n.State} underlay {n.UnderlayAddress}")));
                Assert.Equal("100.64.1.2", nodes.Single(n => n.Name == "laptop1").UnderlayAddress);

                var report = await new TestbedController(progress).DownAsync(state, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

                output.WriteLine($"round {round}: down {report}");
                Assert.Equal(2, report.ServerNodes);
                var left = (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;
                Assert.DoesNotContain(left, n => n.Name is "node1" or "laptop1");
            }
        }
        finally
        {
            output.WriteLine(progress.ToString());
            try
            {
                await new TestbedController(TextWriter.Null).DownAsync(state, CancellationToken.None);
            }
            finally
            {
                await ProcessReaper.KillAllUnderAsync(state);
                if (relay is not null)
                {
                    await relay.DisposeAsync();
                }
            }
        }
    }

    private static async Task<List<NodeInfo>> WaitNodesAsync(ServerHarness server, params string[] names)
    {
        List<NodeInfo> all = [];
        await Bounded.WaitUntilAsync(
            async () =>
            {
                all = (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!;
                return names.All(name => all.Any(n => n.Name == name && n.State == "ready"));
            },
            TimeSpan.FromSeconds(120),
            $"nodes {string.Join(", ", names)} ready");
        return all;
    }
}
