using System.Diagnostics;
using System.Globalization;
using SkillVL.Core.Api.Migrations;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Nodes;

/// <summary>
/// ADR 0020 on a real testbed: a client node that nothing can connect to — every new inbound TCP connection in its
/// namespace is dropped (nftables, <c>ct state new</c> on input) — still receives a live migration at 50 Mbit/s, 40 ms,
/// because it opens every connection itself; while the VM moves nothing listens on the client's addresses; and the move
/// back to the server node works with the drop in place.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ReverseMigrationTestbedTests(ITestOutputHelper output)
{
    private const string Table = "skillvl_no_inbound";

    [Fact]
    public async Task MoveToAClientThatDropsEveryInboundConnection_Succeeds_NothingListensThere_AndTheMoveBackToo()
    {
        await using var server = await ServerHarness.StartAsync();
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms");
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: nat }
            networks:
              - { name: lan, cidr: 10.63.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.63.0.10 }] }
            """);
        var data = await WriteDataAsync(server, "nat", "vm", "data", 4);
        var bootId = await BootIdAsync(server, "nat", "vm");
        var status = (await bed.StatusAsync())!;
        var laptop = status.Nodes.Single(n => n.Name == "laptop1");
        var node1 = status.Nodes.Single(n => n.Name == "node1");

        // Before the drop, the server node's connection attempt is refused at once (nothing listens on that port).
        var open = await ConnectFromAsync(node1.Namespace, laptop.Address, 9);
        Assert.Equal(1, open);
        await NftAsync(laptop.Namespace, "add", "table", "inet", Table);
        try
        {
            await NftAsync(laptop.Namespace, "add", "chain", "inet", Table, "input", "{ type filter hook input priority 0 ; policy accept ; }");
            await NftAsync(laptop.Namespace, "add", "rule", "inet", Table, "input", "iifname", "!=", "lo", "meta", "l4proto", "tcp", "ct", "state", "new", "drop");

            // Proven: now nothing gets in — not refused, dropped (the attempt times out).
            Assert.Equal(124, await ConnectFromAsync(node1.Namespace, laptop.Address, 9));

            // To the client, sampling its listening TCP sockets all the while.
            using var sampling = new CancellationTokenSource();
            var sampler = SampleListenersAsync(laptop.Namespace, sampling.Token);
            var clock = Stopwatch.StartNew();
            var bytesBefore = bed.ClientLinkBytes();
            var toClient = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("nat/vm", "laptop1"), output);
            var linkBytes = bed.ClientLinkBytes() - bytesBefore;
            await sampling.CancelAsync();
            var (samples, listening) = await sampler;
            Report("node1 → laptop1", toClient, clock.Elapsed, linkBytes);
            Assert.Equal(MigrationStates.Succeeded, toClient.State);
            Assert.Equal("laptop1", (await server.GetMachineAsync("nat", "vm")).Node);
            Assert.Contains(toClient.Log, l => l.Message.Contains("nothing listens on the client", StringComparison.Ordinal));
            Assert.Equal("measured", toClient.Link!.Source);
            Assert.InRange(toClient.Link.BandwidthBitsPerSecond, 35e6, 65e6);
            Assert.InRange(toClient.Link.RttMs, 35, 60);
            output.WriteLine($"{samples} samples of laptop1's listening TCP sockets during the move; outside loopback: {listening.Count}");
            Assert.True(samples >= 10, $"only {samples} samples");
            Assert.Empty(listening);

            Assert.Equal(bootId, await BootIdAsync(server, "nat", "vm"));
            Assert.Equal(data, await ChecksumAsync(server, "nat", "vm", "data"));

            // And back to the server node (the forward mode: the client dials the server's tunnel), the drop still in place.
            clock.Restart();
            bytesBefore = bed.ClientLinkBytes();
            var back = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("nat/vm", "node1"), output);
            Report("laptop1 → node1", back, clock.Elapsed, bed.ClientLinkBytes() - bytesBefore);
            Assert.Equal(MigrationStates.Succeeded, back.State);
            Assert.Equal("node1", (await server.GetMachineAsync("nat", "vm")).Node);
            Assert.Equal(bootId, await BootIdAsync(server, "nat", "vm"));
            Assert.Equal(data, await ChecksumAsync(server, "nat", "vm", "data"));
        }
        finally
        {
            await NftAsync(laptop.Namespace, "delete", "table", "inet", Table);
        }

        await server.DeleteRoomAsync("nat");
    }

    private void Report(string move, MigrationInfo migration, TimeSpan elapsed, long linkBytes)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{move}: {migration.State} in {migration.Metrics.TotalTimeMs:0} ms (test saw {elapsed.TotalSeconds:0.0} s), downtime {migration.Metrics.DowntimeMs} ms, " +
            $"{linkBytes} B on the link (RAM {migration.Metrics.RamBytes}, disk {migration.Metrics.DiskBytes}, base {migration.Metrics.BaseBytes}) {migration.Error}"));
        output.WriteLine(string.Join('\n', migration.Log.Select(l => $"  {l.Message}")));
    }

    /// <summary>Every 200 ms until cancelled: <c>ss -ltnH</c> in the namespace; the sockets listening outside loopback.</summary>
    private static async Task<(int Samples, List<string> Listening)> SampleListenersAsync(string ns, CancellationToken cancellationToken)
    {
        var samples = 0;
        var listening = new List<string>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var (exit, stdout, stderr) = await HostTools.RunAsync("ip", ["netns", "exec", ns, "ss", "-ltnH"], TimeSpan.FromSeconds(10));
            Assert.True(exit == 0, stderr);
            samples++;
            listening.AddRange(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 4 } f
                    && !f[3].StartsWith("127.", StringComparison.Ordinal) && !f[3].StartsWith("[::1]", StringComparison.Ordinal)));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (samples, listening);
    }

    /// <summary>A TCP connect from namespace <paramref name="ns"/>, bounded to 3 s: 0 connected, 1 refused, 124 timed out.</summary>
    private static async Task<int> ConnectFromAsync(string ns, string address, int port) =>
        (await HostTools.RunAsync("ip", ["netns", "exec", ns, "timeout", "3", "bash", "-c", $"</dev/tcp/{address}/{port}"], TimeSpan.FromSeconds(10))).ExitCode;

    private static async Task NftAsync(string ns, params string[] arguments)
    {
        var (exit, _, stderr) = await HostTools.RunAsync("ip", ["netns", "exec", ns, "nft", .. arguments], TimeSpan.FromSeconds(10));
        Assert.True(exit == 0, $"nft {string.Join(' ', arguments)}: {stderr}");
    }
}
