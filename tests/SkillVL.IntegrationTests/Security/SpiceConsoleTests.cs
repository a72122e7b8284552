using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
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
/// ticket; no ticket opens nothing; the main channel links once; a session admits at most eight channels; a watcher's
/// inputs channel is refused while the owner's is linked; a deleted machine ends the session and its URL admits nothing.
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
        var channels = new List<ClientWebSocket>();
        try
        {
            channels.Add(await LinkAsync(server, ticket.Url, SpiceLink.MainChannel));
            channels.Add(await LinkAsync(server, ticket.Url, SpiceLink.DisplayChannel));
            channels.Add(await LinkAsync(server, ticket.Url, SpiceLink.InputsChannel)); // the owner may type

            // A second main channel in the same session is refused: a SPICE client links main once, first.
            using (var again = await ConsoleSockets.ConnectAsync(server, ticket.Url))
            {
                await ConsoleSockets.SendAsync(again, Link(SpiceLink.MainChannel));
                await ExpectClosedAsync(again, "SPICE channel 1 out of order");
            }

            // Eight connections in all (the refused one counted); a ninth is refused at the door.
            for (var i = channels.Count + 1; i < SpiceSession.MaxChannels; i++)
            {
                channels.Add(await LinkAsync(server, ticket.Url, SpiceLink.CursorChannel));
            }

            await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, ticket.Url));

            // A watcher (the admin, watch only): main and display link, inputs is refused before QEMU sees it.
            var watch = await Users.ReadAsync<ConsoleTicket>(
                await server.Client.PostAsJsonAsync(ApiPaths.Machine(roomId, "box") + "/console/tickets", new ConsoleTicketRequest("spice", Watch: true), ServerHarness.Json),
                HttpStatusCode.OK);
            channels.Add(await LinkAsync(server, watch.Url, SpiceLink.MainChannel));
            channels.Add(await LinkAsync(server, watch.Url, SpiceLink.DisplayChannel));
            using (var inputs = await ConsoleSockets.ConnectAsync(server, watch.Url))
            {
                await ConsoleSockets.SendAsync(inputs, Link(SpiceLink.InputsChannel));
                await ExpectClosedAsync(inputs, "watch only: SPICE channel 3 is refused");
            }

            // The owner sees one viewer, the admin's watch-only SPICE console (one session, however many channels).
            var viewer = Assert.Single((await sam.Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("spicy", "box"), ServerHarness.Json))!.Viewers!);
            Assert.Equal(("admin", "spice", true), (viewer.User, viewer.Kind, viewer.WatchOnly));

            // Deleting the room ends every channel of both sessions, and their URLs admit nothing more.
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.DeleteAsync(ApiPaths.Room(roomId))).StatusCode);
            foreach (var channel in channels)
            {
                await ExpectClosedAsync(channel, ConsoleSessions.MachineDeleted);
            }

            await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, watch.Url));
        }
        finally
        {
            foreach (var channel in channels)
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
                return audit.Count(a => a.Outcome == "closed") >= channels.Count;
            },
            Bound,
            "a closed audit entry per channel");
        output.WriteLine(string.Join('\n', audit.Select(a => $"{a.Username} {a.Outcome} {a.Detail}")));
        Assert.Contains(audit, a => a.Username == "sam" && a.Outcome == "opened" && a.Detail == "spice channel 2");
        Assert.Contains(audit, a => a.Username == "admin" && a.Outcome == "refused" && a.Detail == "spice: watch only: SPICE channel 3 is refused");
    }

    /// <summary>A channel of the session at <paramref name="url"/>, linked: QEMU's SpiceLinkReply came back without error.</summary>
    private async Task<ClientWebSocket> LinkAsync(ServerHarness server, string url, byte channelType)
    {
        var socket = await ConsoleSockets.ConnectAsync(server, url);
        await ConsoleSockets.SendAsync(socket, Link(channelType));
        // SpiceLinkHeader (magic, major, minor, size) and the reply's error code.
        var reply = await ConsoleSockets.ReceiveAtLeastAsync(socket, 20, Bound);
        var (major, minor, error) = (BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)), BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(8)),
            BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(16)));
        output.WriteLine($"channel {channelType}: {Encoding.ASCII.GetString(reply, 0, 4)} {major}.{minor}, error {error}");
        Assert.Equal("REDQ", Encoding.ASCII.GetString(reply, 0, 4));
        Assert.Equal((2u, 0u), (major, error));
        return socket;
    }

    /// <summary>A SpiceLinkHeader and SpiceLinkMess for channel 0 of <paramref name="channelType"/>, no capabilities.</summary>
    internal static byte[] Link(byte channelType)
    {
        var link = new byte[16 + 18];
        "REDQ"u8.CopyTo(link);
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(4), 2); // major
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(8), 2); // minor
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(12), 18); // size of SpiceLinkMess
        link[20] = channelType; // after connection_id (0: a new session for main)
        BinaryPrimitives.WriteUInt32LittleEndian(link.AsSpan(30), 18); // caps_offset: right after the message
        return link;
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
