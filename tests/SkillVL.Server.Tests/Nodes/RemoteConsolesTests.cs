using System.Net.WebSockets;
using SkillVL.Agent.Remote;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;

namespace SkillVL.Server.Tests.Nodes;

/// <summary>
/// A remote node's console through the contract (ADR 0036): the session the node's agent would connect back to is
/// always released when the console cannot be opened, so no waiter is left behind.
/// </summary>
public sealed class RemoteConsolesTests
{
    [Fact]
    public async Task OpenConsole_AgentNotConnected_ThrowsAndEndsTheSession()
    {
        var rendezvous = new RecordingRendezvous();
        var node = new RemoteNodeAgent(new NodeFacts("edge1", 0, 0, "unknown"), rendezvous);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var e = await Assert.ThrowsAsync<DriverException>(() => node.Consoles!.OpenAsync("vm1", "vnc", timeout.Token));

        Assert.Contains("edge1", e.Message, StringComparison.Ordinal);
        var (session, expectedNode) = Assert.Single(rendezvous.Expected);
        Assert.Equal("edge1", expectedNode); // bound to the node it was sent to (ADR 0046)
        Assert.Equal([session], rendezvous.Ended);
    }

    [Fact]
    public void Connection_OfRemoteNode_IsItsAgentsConnection()
    {
        var node = new RemoteNodeAgent(new NodeFacts("edge1", 0, 0, "unknown"), new RecordingRendezvous());

        Assert.NotNull(node.Connection);
        Assert.False(node.Connection.IsConnected);
    }

    private sealed class RecordingRendezvous : IConsoleRendezvous
    {
        public List<(string Session, string Node)> Expected { get; } = [];

        public List<string> Ended { get; } = [];

        public void Expect(string session, string node) => Expected.Add((session, node));

        public Task<WebSocket?> WaitForAgentAsync(string session, TimeSpan timeout, CancellationToken cancellationToken) => Task.FromResult<WebSocket?>(null);

        public void End(string session) => Ended.Add(session);
    }
}
