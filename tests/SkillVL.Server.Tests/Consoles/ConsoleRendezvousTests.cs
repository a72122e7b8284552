using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Server.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// A relay session (a console or a fenced disk's transfer) is bound to the node it was sent to (ADR 0046): any
/// enrolled node reaches the agent route, a student's own client node too, so another node's connection is refused
/// and the session keeps waiting for its own node.
/// </summary>
public sealed class ConsoleRendezvousTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Offer_FromAnotherNode_IsRefused_TheSessionStillWaitsForItsNode()
    {
        var rendezvous = new ConsoleRendezvous(NullLogger<ConsoleRendezvous>.Instance);
        rendezvous.Expect("s1", "edge1");
        using var intruder = await ServerSocketAsync();
        using var agent = await ServerSocketAsync();
        var waiting = rendezvous.WaitForAgentAsync("s1", Bound, CancellationToken.None);

        Assert.Equal(ConsoleOffer.WrongNode, rendezvous.TryOffer("s1", "laptop-of-sam", intruder, out var refusedDone));
        Assert.True(refusedDone.IsCompleted);
        Assert.False(waiting.IsCompleted);

        Assert.Equal(ConsoleOffer.Accepted, rendezvous.TryOffer("s1", "edge1", agent, out var done));
        Assert.Same(agent, await waiting.WaitAsync(Bound));
        Assert.False(done.IsCompleted);
        rendezvous.End("s1");
        await done.WaitAsync(Bound);
    }

    [Fact]
    public async Task Offer_UnknownOrTakenSession_IsRefused()
    {
        var rendezvous = new ConsoleRendezvous(NullLogger<ConsoleRendezvous>.Instance);
        using var agent = await ServerSocketAsync();
        using var second = await ServerSocketAsync();

        Assert.Equal(ConsoleOffer.UnknownSession, rendezvous.TryOffer("nope", "edge1", agent, out _));
        rendezvous.Expect("s1", "edge1");
        Assert.Equal(ConsoleOffer.Accepted, rendezvous.TryOffer("s1", "edge1", agent, out _));
        Assert.Equal(ConsoleOffer.UnknownSession, rendezvous.TryOffer("s1", "edge1", second, out _));
        rendezvous.End("s1");
        Assert.Equal(ConsoleOffer.UnknownSession, rendezvous.TryOffer("s1", "edge1", second, out _));
    }

    /// <summary>A WebSocket over a loopback connection (its far end is dropped: only its identity matters here).</summary>
    private static async Task<WebSocket> ServerSocketAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var accepted = await listener.AcceptTcpClientAsync();
        return WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true });
    }
}
