using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Remote;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Server.Checkouts;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>
/// A fenced disk over the agent protocol (ADR 0044): the Server's <see cref="RemoteCheckoutDriver"/> asks, the agent's
/// dispatcher opens the copy on a real local node and sends it with <see cref="DiskRelay"/> over a WebSocket it "opens back"
/// (here a loopback TCP pair), met in the Server's <see cref="ConsoleRendezvous"/>. The node sends the exact bytes, and
/// refuses a record that names a file outside its fenced directory, or a link leading out of it.
/// </summary>
public sealed class AgentFencedDiskTests : IDisposable
{
    private const string VmId = "0123456789ab";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web);
    private readonly string _root = Directory.CreateTempSubdirectory("svl-fenced").FullName;

    // The node refuses a data directory its unprivileged QEMU user cannot reach (ADR 0016).
    public AgentFencedDiskTests() =>
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    [Fact]
    public async Task SendFenced_StreamsTheExactBytes_AndRefusesAPathOutsideTheFencedDirectory()
    {
        var data = Path.Combine(_root, "data");
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "laptop", DataDirectory = data, RuntimeDirectory = Path.Combine(_root, "run"), Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var fenced = Path.Combine(data, "fenced");
        Directory.CreateDirectory(fenced);
        var disk = new byte[(3 << 20) + 777]; // several frames and a partial one
        Random.Shared.NextBytes(disk);
        Record(fenced, 3, Path.Combine(fenced, $"{VmId}-e3-20261207T050000Z.qcow2"), disk);
        var outside = Path.Combine(_root, "secret.qcow2");
        Record(fenced, 4, outside, [1, 2, 3]);
        Record(fenced, 5, Path.Combine(fenced, "..", "secret.qcow2"), null);
        var link = Path.Combine(fenced, $"{VmId}-e6-20261207T050000Z.qcow2");
        File.CreateSymbolicLink(link, outside);
        Record(fenced, 6, link, null);

        var rendezvous = new ConsoleRendezvous(Microsoft.Extensions.Logging.Abstractions.NullLogger<ConsoleRendezvous>.Instance);
        var relays = new List<Task>();
        var dispatcher = new AgentDispatcher(node, (_, _) => Task.FromResult(0L), sendDisk: async (session, content, ct) =>
        {
            // What AgentClient does over a real connection: connect back, hand over, send in the background.
            var (agentEnd, serverEnd) = await SocketPairAsync();
            Assert.Equal(ConsoleOffer.Accepted, rendezvous.TryOffer(session, "laptop", serverEnd, out _));
            relays.Add(Task.Run(async () =>
            {
                await using (content)
                using (agentEnd)
                {
                    await DiskRelay.SendAsync(agentEnd, content, DiskRelay.StallTimeout, CancellationToken.None);
                }
            }, CancellationToken.None));
        });
        var remote = new RemoteCheckoutDriver(async (method, parameters, _, cancellationToken) =>
        {
            var answer = await dispatcher.HandleAsync(
                new AgentMessage { Type = AgentMessage.Request, Id = 1, Method = method, Params = JsonSerializer.SerializeToElement(parameters, AgentChannel.Json) },
                cancellationToken);
            return answer.Error is { } error ? throw AgentChannel.ToException(error) : answer.Result;
        }, "laptop", rendezvous);

        await using (var opened = (await remote.OpenFencedAsync(VmId, 3, CancellationToken.None).WaitAsync(Bound))!)
        {
            Assert.Equal(disk.Length, opened.Length);
            using var received = new MemoryStream();
            var (outcome, sent, reason) = await FencedDiskCopy.CopyAsync(opened, received, CancellationToken.None).WaitAsync(Bound);
            Assert.Equal((FencedDiskCopy.Completed, (long)disk.Length, (string?)null), (outcome, sent, reason));
            Assert.Equal(disk, received.ToArray());
        }

        await Task.WhenAll(relays).WaitAsync(Bound);
        Assert.Null(await remote.OpenFencedAsync(VmId, 7, CancellationToken.None).WaitAsync(Bound));
        foreach (var epoch in new[] { 4, 5 })
        {
            var refused = await Assert.ThrowsAsync<DriverException>(() => remote.OpenFencedAsync(VmId, epoch, CancellationToken.None).WaitAsync(Bound));
            Assert.Contains("outside", refused.Message, StringComparison.Ordinal);
            Assert.False(refused.IsTransient);
        }

        var linked = await Assert.ThrowsAsync<DriverException>(() => remote.OpenFencedAsync(VmId, 6, CancellationToken.None).WaitAsync(Bound));
        Assert.Contains("symbolic link", linked.Message, StringComparison.Ordinal);
        _ = Assert.Single(relays); // nothing was sent for a refused or unknown copy
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A fenced record as the node writes it, naming <paramref name="disk"/> (written when given).</summary>
    private static void Record(string fenced, int epoch, string disk, byte[]? bytes)
    {
        if (bytes is not null)
        {
            File.WriteAllBytes(disk, bytes);
        }

        File.WriteAllText(
            Path.Combine(fenced, $"{VmId}-e{epoch}-20261207T050000Z.json"),
            JsonSerializer.Serialize(new FencedCopy(VmId, epoch, disk, bytes?.Length ?? 0, null, DateTimeOffset.UtcNow), RecordJson));
    }

    private static async Task<(WebSocket Agent, WebSocket Server)> SocketPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        return (WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false }),
            WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true }));
    }
}
