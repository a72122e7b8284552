using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Consoles;
using Xunit;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// ADR 0046: the agent route that pairs a node's connection with a console (or a fenced disk's transfer) is open to
/// every enrolled node, a student's own client node too. A session the Server sent to node edge1 is refused to the
/// student's laptop (a 1008 close, over the real route with the laptop's real credential) and stays open for edge1.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RelaySessionBindingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Issue17_RelaySession_AnotherNodesOffer_IsRefused_ItsOwnNodeIsPaired()
    {
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        var edge = await EnrolAsync(server, server.Client, "edge1", "edge");
        var laptop = await EnrolAsync(server, sam.Client, "sams-laptop", "client");

        // What RemoteConsoles does before it asks edge1's agent to connect back (the session id travels only to edge1;
        // here the laptop is assumed to have learnt it).
        var rendezvous = server.App.Services.GetRequiredService<ConsoleRendezvous>();
        const string Session = "binding-test-session-0123456789abcdef";
        rendezvous.Expect(Session, "edge1");
        var waiting = rendezvous.WaitForAgentAsync(Session, TimeSpan.FromSeconds(30), CancellationToken.None);
        try
        {
            using (var intruder = await ConnectAsync(server, laptop.Credential, Session))
            {
                using var timeout = new CancellationTokenSource(Bound);
                var received = await intruder.ReceiveAsync(new byte[64], timeout.Token);
                Assert.Equal(WebSocketMessageType.Close, received.MessageType);
                Assert.Equal(WebSocketCloseStatus.PolicyViolation, intruder.CloseStatus);
            }

            Assert.False(waiting.IsCompleted, "the laptop's connection was paired with edge1's session");

            using var agent = await ConnectAsync(server, edge.Credential, Session);
            Assert.NotNull(await waiting.WaitAsync(Bound));
        }
        finally
        {
            rendezvous.End(Session);
        }
    }

    private static async Task<EnrolResponse> EnrolAsync(ServerHarness server, HttpClient caller, string name, string kind)
    {
        var join = await Users.ReadAsync<JoinTokenInfo>(
            await caller.PostAsJsonAsync(ApiPaths.Nodes + "/join-tokens", new CreateJoinTokenRequest(10, kind), ServerHarness.Json), HttpStatusCode.OK);
        return await Users.ReadAsync<EnrolResponse>(
            await server.Client.PostAsJsonAsync(AgentPaths.Enrol, new EnrolRequest(join.Token, name, kind), ServerHarness.Json), HttpStatusCode.OK);
    }

    private static async Task<ClientWebSocket> ConnectAsync(ServerHarness server, string credential, string session)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + credential);
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + AgentPaths.ConsoleRelay(session)), timeout.Token);
        return socket;
    }
}
