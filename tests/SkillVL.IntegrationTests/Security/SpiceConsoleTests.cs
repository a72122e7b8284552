using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.Server.Consoles;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// ADR 0056 against the real Server, node and a tiny guest's QEMU: a SPICE ticket opens a session whose channels (main,
/// then display, …) are each a WebSocket to the same URL and each get QEMU's SPICE link reply; another student gets no
/// ticket; no ticket opens nothing; the main channel links once; the other channels only with the session id QEMU gave
/// the session's main channel; a session admits at most eight channels; a watcher's inputs channel is refused while the
/// owner's is linked; a deleted machine ends the session and its URL admits nothing.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class SpiceConsoleTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: spicy }
        networks:
          - { name: lan, cidr: 10.73.0.0/24 }
        machines:
          - { name: box, template: tiny, nics: [{ network: lan, ip: 10.73.0.5 }] }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Issue17_SpiceSession_AdmitsItsChannels_RefusesOthers_WatcherGetsNoInputs_EndsWithTheMachine()
    {
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        using var otis = await Users.AddAndLoginAsync(server, "otis", PlatformRoles.Student);
        var roomId = (await Users.CreateRoomAsync(server, sam, Room)).Id;
        var tickets = ApiPaths.Machine("spicy", "box") + "/console/tickets";

        // Another student: the machine does not exist for them. No ticket, or a made-up one: nothing opens.
        Assert.Equal(HttpStatusCode.NotFound, (await otis.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("spice"), ServerHarness.Json)).StatusCode);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, ConsoleGateway.WebSocketPath));
        await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, ConsoleGateway.WebSocketPath + "?ticket=made-up"));

        // The owner's session: main first, then display at the same URL; QEMU answers each with its link reply.
        var ticket = await Users.ReadAsync<ConsoleTicket>(await sam.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("spice"), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal("spice", ticket.Protocol);
        var owner = new List<ClientWebSocket>();
        var channels = new List<ClientWebSocket>();
        try
        {
            var (main, session) = await SpiceClient.OpenMainAsync(server, ticket.Url, output.WriteLine);
            owner.Add(main);
            owner.Add(await SpiceClient.LinkAsync(server, ticket.Url, SpiceLink.DisplayChannel, session, output.WriteLine));
            owner.Add(await SpiceClient.LinkAsync(server, ticket.Url, SpiceLink.InputsChannel, session, output.WriteLine)); // the owner may type

            // A second main channel in the same session is refused: a SPICE client links main once, first.
            using (var again = await ConsoleSockets.ConnectAsync(server, ticket.Url))
            {
                await ConsoleSockets.SendAsync(again, SpiceClient.Link(SpiceLink.MainChannel));
                await ExpectClosedAsync(again, "SPICE channel 1 out of order");
            }

            // Eight connections in all (the refused one counted); a ninth is refused at the door.
            for (var i = owner.Count + 1; i < SpiceSession.MaxChannels; i++)
            {
                owner.Add(await SpiceClient.LinkAsync(server, ticket.Url, SpiceLink.CursorChannel, session, output.WriteLine));
            }

            await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, ticket.Url));

            // QEMU's SPICE server shows one client at a time (a second main channel disconnects the first): while the
            // owner's console is open nobody gets a SPICE ticket for the machine, a watcher neither (VNC is shared).
            var watchTickets = ApiPaths.Machine(roomId, "box") + "/console/tickets";
            var busy = await server.Client.PostAsJsonAsync(watchTickets, new ConsoleTicketRequest("spice", Watch: true), ServerHarness.Json);
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
            Assert.Contains("sam has the SPICE console of", await busy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            foreach (var channel in owner)
            {
                using var timeout = new CancellationTokenSource(Bound);
                await channel.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }

            // A watcher (the admin, watch only) once the owner closed theirs: main and display link, inputs is refused
            // before QEMU sees it.
            ConsoleTicket? watch = null;
            await Bounded.WaitUntilAsync(
                async () =>
                {
                    var answer = await server.Client.PostAsJsonAsync(watchTickets, new ConsoleTicketRequest("spice", Watch: true), ServerHarness.Json);
                    watch = answer.StatusCode == HttpStatusCode.OK ? await answer.Content.ReadFromJsonAsync<ConsoleTicket>(ServerHarness.Json) : null;
                    return watch is not null;
                },
                Bound,
                "a SPICE ticket once the owner's console closed");
            var (watchMain, watchSession) = await SpiceClient.OpenMainAsync(server, watch!.Url, output.WriteLine);
            channels.Add(watchMain);
            Assert.NotEqual(session, watchSession);
            channels.Add(await SpiceClient.LinkAsync(server, watch.Url, SpiceLink.DisplayChannel, watchSession, output.WriteLine));
            using (var inputs = await ConsoleSockets.ConnectAsync(server, watch.Url))
            {
                await ConsoleSockets.SendAsync(inputs, SpiceClient.Link(SpiceLink.InputsChannel, watchSession));
                await ExpectClosedAsync(inputs, "watch only: SPICE channel 3 is refused");
            }

            // A channel of the watcher's session that names the owner's session (to join the owner's client, whose
            // inputs QEMU would take) is refused before QEMU sees it; so is one naming no session.
            foreach (var (id, why) in new[] { (session, "names another session"), (0u, "names another session") })
            {
                using var other = await ConsoleSockets.ConnectAsync(server, watch.Url);
                await ConsoleSockets.SendAsync(other, SpiceClient.Link(SpiceLink.DisplayChannel, id));
                await ExpectClosedAsync(other, "SPICE channel 2 " + why);
            }

            // The owner sees one viewer, the admin's watch-only SPICE console (one session, however many channels).
            var viewer = Assert.Single((await sam.Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("spicy", "box"), ServerHarness.Json))!.Viewers!);
            Assert.Equal(("admin", "spice", true), (viewer.User, viewer.Kind, viewer.WatchOnly));

            // Deleting the room ends every channel of the open session, and its URL admits nothing more.
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.DeleteAsync(ApiPaths.Room(roomId))).StatusCode);
            foreach (var channel in channels)
            {
                await ExpectClosedAsync(channel, ConsoleSessions.MachineDeleted);
            }

            await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, watch.Url));
        }
        finally
        {
            foreach (var channel in owner.Concat(channels))
            {
                channel.Dispose();
            }
        }

        // Audited per channel: opened with its type, refused with why.
        var audit = new List<AuditEntry>();
        await Bounded.WaitUntilAsync(
            async () =>
            {
                audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=console&limit=100", ServerHarness.Json))!;
                return audit.Count(a => a.Outcome == "closed") >= owner.Count + channels.Count;
            },
            Bound,
            "a closed audit entry per channel");
        output.WriteLine(string.Join('\n', audit.Select(a => $"{a.Username} {a.Outcome} {a.Detail}")));
        Assert.Contains(audit, a => a.Username == "sam" && a.Outcome == "opened" && a.Detail == "spice channel 2");
        Assert.Contains(audit, a => a.Username == "admin" && a.Outcome == "refused" && a.Detail == "spice: watch only: SPICE channel 3 is refused");
        Assert.Contains(audit, a => a.Username == "admin" && a.Outcome == "refused" && a.Detail == "spice: SPICE channel 2 names another session");
    }

    private static async Task ExpectClosedAsync(ClientWebSocket socket, string reason)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[65536];
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (received.MessageType != WebSocketMessageType.Close);

        Assert.Equal((WebSocketCloseStatus.PolicyViolation, reason), (socket.CloseStatus, socket.CloseStatusDescription));
    }
}
