using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests;

/// <summary>
/// The console gateway against a real guest: a VNC ticket's WebSocket speaks RFB straight from QEMU; a serial
/// ticket's WebSocket gets the guest's login prompt and runs a command; tickets are single-use; another student
/// gets 404; sessions are audited.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ConsoleGatewayTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: con }
        networks:
          - { name: lan, cidr: 10.70.0.0/24 }
        machines:
          - { name: box, template: tiny, nics: [{ network: lan, ip: 10.70.0.5 }] }
        """;

    [Fact]
    public async Task VncAndSerial_ThroughTickets_SingleUse_Isolated_Audited()
    {
        await using var server = await ServerHarness.StartAsync();
        using var owner = await Users.AddAndLoginAsync(server, "vera", PlatformRoles.Student);
        using var other = await Users.AddAndLoginAsync(server, "otis", PlatformRoles.Student);
        await Users.CreateRoomAsync(server, owner, Room);
        var tickets = ApiPaths.Machine("con", "box") + "/console/tickets";

        // VNC: the first bytes are QEMU's RFB protocol version.
        var vnc = await Users.ReadAsync<ConsoleTicket>(await owner.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("vnc"), ServerHarness.Json), HttpStatusCode.OK);
        using (var socket = await ConsoleSockets.ConnectAsync(server, vnc.Url))
        {
            var banner = Encoding.ASCII.GetString(await ConsoleSockets.ReceiveAtLeastAsync(socket, 12, TimeSpan.FromSeconds(10)));
            Assert.StartsWith("RFB 003.008", banner, StringComparison.Ordinal);
        }

        // Single use.
        await Assert.ThrowsAnyAsync<WebSocketException>(() => ConsoleSockets.ConnectAsync(server, vnc.Url));

        // Serial: log in and run a command.
        var serial = await Users.ReadAsync<ConsoleTicket>(await owner.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("serial"), ServerHarness.Json), HttpStatusCode.OK);
        using (var socket = await ConsoleSockets.ConnectAsync(server, serial.Url))
        {
            var screen = new StringBuilder();
            await SendAsync(socket, "\r");
            await ConsoleSockets.ExpectAsync(socket, screen, "login:");
            await SendAsync(socket, "root\r");
            await ConsoleSockets.ExpectAsync(socket, screen, "assword:");
            await SendAsync(socket, "skillvl\r");
            await ConsoleSockets.ExpectAsync(socket, screen, "#");
            await SendAsync(socket, "echo hi-$((6*7))\r");
            await ConsoleSockets.ExpectAsync(socket, screen, "hi-42");
            output.WriteLine(screen.ToString());
        }

        // Another student: the machine does not exist for them. Bad kind: 400 naming it.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("vnc"), ServerHarness.Json)).StatusCode);
        using (var bad = await owner.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("rdp"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("\"kind\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The gateway writes "closed" once it has seen the close, which may come a moment after the client's.
        var audit = new List<AuditEntry>();
        await Bounded.WaitUntilAsync(
            async () =>
            {
                audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=vera&action=console", ServerHarness.Json))!;
                return audit.Any(a => a.Outcome == "closed" && a.Detail!.StartsWith("serial:", StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(10),
            "the serial console's closed audit entry");
        Assert.Contains(audit, a => a.Outcome == "opened" && a.Detail == "vnc");
        Assert.Contains(audit, a => a.Outcome == "closed" && a.Detail!.StartsWith("serial:", StringComparison.Ordinal));
    }

    private static Task SendAsync(ClientWebSocket socket, string text) => ConsoleSockets.SendAsync(socket, Encoding.ASCII.GetBytes(text));
}
