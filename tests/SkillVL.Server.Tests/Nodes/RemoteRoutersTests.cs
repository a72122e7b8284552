using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Remote;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;

namespace SkillVL.Server.Tests.Nodes;

/// <summary>
/// The router operation of the node contract over a remote agent's connection (ADR 0039): the Server's
/// <see cref="RemoteNodeAgent"/> and the agent's <see cref="AgentDispatcher"/> on a real WebSocket, the node behind it the
/// QEMU driver's. A spec the node refuses comes back as an error naming the router, not a half-built router.
/// </summary>
public sealed class RemoteRoutersTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _root = Directory.CreateTempSubdirectory("svl-routers").FullName;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _sockets = [];

    // As in AgentDispatcherMigrationTests: the node refuses a data directory its unprivileged QEMU user cannot reach.
    public RemoteRoutersTests() =>
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    [Fact]
    public void RouterSpec_ThroughTheAgentsJson_IsUnchanged()
    {
        var spec = new RouterSpec(
            "0123456789ab",
            [new RouterLegSpec("aaaaaaaaaaaa", "10.0.1.1/24", 1450, "10.0.1.100", "10.0.1.150", true), new RouterLegSpec("bbbbbbbbbbbb", "10.0.2.1/24", 1500, null, null, false)],
            [new RouterRouteSpec("10.9.0.0/16", "10.0.2.254")],
            [new RouterHostSpec("web", "10.0.2.10")]);

        var back = JsonSerializer.SerializeToElement(spec, AgentChannel.Json).Deserialize<RouterSpec>(AgentChannel.Json)!;

        Assert.Equal(JsonSerializer.Serialize(spec), JsonSerializer.Serialize(back));
        Assert.Equal(spec.Legs[0], back.Legs[0]);
        Assert.Equal(spec.Hosts[0], back.Hosts[0]);
    }

    [Fact]
    public async Task Routers_OverTheAgentConnection_ListDeleteAndRefuseABadSpec()
    {
        using var timeout = new CancellationTokenSource(Bound);
        var remote = await ConnectAsync(timeout.Token);
        var routers = Assert.IsAssignableFrom<INodeRouters>(remote.Routers);

        Assert.Empty(await routers.ListAsync(timeout.Token));
        await routers.DeleteAsync("0123456789ab", timeout.Token); // a missing router is fine

        // A host name that would start a new line in dnsmasq's hosts file: the node's own check refuses it.
        var bad = new RouterSpec("0123456789ab", [new RouterLegSpec("aaaaaaaaaaaa", "10.0.1.1/24", 1500, null, null, true)], [], [new RouterHostSpec("web\naddress=/#/1.2.3.4", "10.0.1.10")]);
        var e = await Assert.ThrowsAsync<DriverException>(() => routers.EnsureAsync(bad, timeout.Token));
        Assert.Contains("Router 0123456789ab", e.Message, StringComparison.Ordinal);
        Assert.Empty(await routers.ListAsync(timeout.Token));
    }

    /// <summary>A Server-side handle whose channel reaches a dispatcher over the node, as the agent's connection does.</summary>
    private async Task<RemoteNodeAgent> ConnectAsync(CancellationToken cancellationToken)
    {
        var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "n", DataDirectory = Path.Combine(_root, "data"), RuntimeDirectory = Path.Combine(_root, "run"), Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
        _owned.Add(node);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var connect = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellationToken).AsTask();
        var accepted = await listener.AcceptTcpClientAsync(cancellationToken);
        await connect;
        _sockets.Add(client);
        _sockets.Add(accepted);
        var serverSide = new AgentChannel(WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false }), "agent");
        var agentSide = new AgentChannel(WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true }), "server");
        _owned.Add(serverSide);
        _owned.Add(agentSide);
        var dispatcher = new AgentDispatcher(node, (_, _) => Task.FromResult(0L));
        _ = agentSide.RunAsync(async m => await agentSide.SendAsync(await dispatcher.HandleAsync(m, cancellationToken), cancellationToken), cancellationToken);
        _ = serverSide.RunAsync(_ => Task.CompletedTask, cancellationToken);
        var remote = new RemoteNodeAgent(new NodeFacts("n", 0, 0, "tcg"), new NoRendezvous());
        remote.Attach(serverSide, new NodeFacts("n", 0, 0, "tcg"), DateTimeOffset.UtcNow);
        return remote;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 calls IAsyncLifetime, not IAsyncDisposable, on a test class.
    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        _sockets.ForEach(s => s.Dispose());

        Directory.Delete(_root, recursive: true);
    }

    private sealed class NoRendezvous : IConsoleRendezvous
    {
        public void Expect(string session, string node)
        {
        }

        public Task<WebSocket?> WaitForAgentAsync(string session, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult<WebSocket?>(null);

        public void End(string session)
        {
        }
    }
}
