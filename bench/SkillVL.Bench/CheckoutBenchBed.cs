using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Testbed;
using SkillVL.Testbed.Network;
using SkillVL.Testbed.Planning;

namespace SkillVL.Bench;

/// <summary>
/// A testbed of <see cref="CheckoutBench"/>: node1 (server) and laptop1 behind its emulated link, either a client node
/// behind a NAT router of its own (the check-out scenario, relay for the room network) or — for the VXLAN comparison — the
/// same emulated link with no NAT and laptop1 enrolled as a server-kind node (an agent wrapper turns the testbed's
/// <c>--kind client</c> into <c>--kind server</c>), so the room network crosses the very same link emulator by VXLAN.
/// </summary>
public sealed class CheckoutBenchBed : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TestbedController _testbed = new(TextWriter.Null);
    private readonly string _tap;
    private UnderlayServerRelay? _relay;

    private CheckoutBenchBed(string state, string prefix, bool behindNat)
    {
        State = state;
        Prefix = prefix;
        _tap = Path.Combine("/sys/class/net", prefix + (behindNat ? "c1o" : "c1u"), "statistics");
    }

    public string State { get; }

    public string Prefix { get; }

    /// <summary>Builds the testbed and waits until node1 and laptop1 are ready at the Server; the Server's own node is drained.</summary>
    public static async Task<CheckoutBenchBed> UpAsync(EmbeddedServer server, int mbit, int rttMs, bool laptopAsServerNode)
    {
        var (prefix, subnet) = await FreeHostNames.PickAsync("svlco", 160, 249, CancellationToken.None);
        var bed = new CheckoutBenchBed(Path.Combine(server.Root, "testbed-" + prefix), prefix, behindNat: !laptopAsServerNode);
        var agent = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll");
        if (laptopAsServerNode)
        {
            agent = WriteServerKindWrapper(server.Root, agent);
        }

        try
        {
            await bed._testbed.UpAsync(
                new UpRequest
                {
                    Nodes = 1,
                    Clients = ["laptop1"],
                    Bandwidth = $"{mbit}mbit",
                    Rtt = $"{rttMs}ms",
                    BehindNat = !laptopAsServerNode,
                    Prefix = prefix,
                    Subnet = subnet,
                    StateDirectory = bed.State,
                    Server = "unix:" + Path.Combine(server.RuntimeDirectory, "agent.sock"),
                    AdminToken = server.AdminToken,
                    AgentCommand = agent,
                    AgentServerOnUnderlay = (address, _) =>
                    {
                        bed._relay = UnderlayServerRelay.Start(address, Path.Combine(server.RuntimeDirectory, "agent.sock"));
                        return Task.FromResult(bed._relay.Url);
                    },
                },
                CancellationToken.None);
            var clock = Stopwatch.StartNew();
            while ((await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, Json))!.Count(n => n.Name is "node1" or "laptop1" && n.State == "ready") < 2)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"node1 and laptop1 not ready in 120 s; agents' logs under {bed.State}");
                }

                await Task.Delay(250);
            }

            (await server.Client.PostAsync(ApiPaths.Nodes + "/local/drain", null)).EnsureSuccessStatusCode();
            return bed;
        }
        catch
        {
            await bed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Bytes through laptop1's port on the underlay bridge so far, both directions: what the emulator let through
    /// (behind NAT the router's outside veth, as in the check-out tests).</summary>
    public long LinkBytes() =>
        long.Parse(File.ReadAllText(Path.Combine(_tap, "rx_bytes")), CultureInfo.InvariantCulture)
        + long.Parse(File.ReadAllText(Path.Combine(_tap, "tx_bytes")), CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Also removes node1 and laptop1 at the Server, so the next testbed enrols nodes of the same names.
            await _testbed.DownAsync(State, CancellationToken.None);
        }
        finally
        {
            if (_relay is not null)
            {
                await _relay.DisposeAsync();
            }
        }
    }

    /// <summary>A script that runs the agent with the testbed's arguments, <c>--kind client</c> replaced by
    /// <c>--kind server</c>; owner-only (it names no secret: the join token arrives as an argument).</summary>
    private static string WriteServerKindWrapper(string root, string agentDll)
    {
        var path = Path.Combine(root, "agent-as-server-node.sh");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            # The testbed's client enrolled as a server-kind node (CheckoutBench's VXLAN row).
            prev=
            for a do
              shift
              if [ "$prev" = "--kind" ]; then a=server; fi
              set -- "$@" "$a"
              prev=$a
            done
            exec dotnet '{{agentDll}}' "$@"

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
