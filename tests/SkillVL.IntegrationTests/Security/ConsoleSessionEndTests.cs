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
/// ADR 0046 against a real Server and a real guest's VNC console: a console checked when it opened does not outlive
/// its user's access. When an admin changes the user's role, disables or deletes the user, resets or deletes the room, the open console's
/// WebSocket closes at once with 1008 (policy violation) and the reason, and the audit's "closed" line says why.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ConsoleSessionEndTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: cut }
        networks:
          - { name: lan, cidr: 10.71.0.0/24 }
        machines:
          - { name: box, template: tiny, nics: [{ network: lan, ip: 10.71.0.5 }] }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Issue17_OpenConsole_ClosesWithItsReason_OnRoleChange_Disable_UserDeletion_RoomReset_RoomDeletion()
    {
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        var roomId = (await Users.CreateRoomAsync(server, sam, Room)).Id;

        // A role change ends the console (the user keeps working and may open it again, checked afresh).
        using (var console = await OpenVncAsync(server, sam.Client, ApiPaths.Machine("cut", "box")))
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.PutAsJsonAsync(ApiPaths.User("sam") + "/role", new SetRoleRequest(PlatformRoles.Teacher), ServerHarness.Json)).StatusCode);
            await ExpectClosedAsync(console, ConsoleSessions.RoleChanged);
        }

        // Disabling ends it too.
        using (var console = await OpenVncAsync(server, sam.Client, ApiPaths.Machine("cut", "box")))
        {
            Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync(ApiPaths.User("sam") + "/disable", null)).StatusCode);
            await ExpectClosedAsync(console, ConsoleSessions.AccountDisabled);
        }

        // Deleting a user ends theirs (a second admin, who owns no room and so can be deleted, on sam's room).
        using (var ada = await Users.AddAndLoginAsync(server, "ada", PlatformRoles.Admin))
        using (var console = await OpenVncAsync(server, ada.Client, ApiPaths.Machine(roomId, "box")))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync(ApiPaths.User("ada"))).StatusCode);
            await ExpectClosedAsync(console, ConsoleSessions.AccountDeleted);
        }

        // Resetting the room rebuilds its machine under a new id: the console ends saying so, and one opened again by the
        // same name reaches the new machine (the console pages reconnect on this reason).
        using (var console = await OpenVncAsync(server, server.Client, ApiPaths.Machine(roomId, "box")))
        {
            var reset = await Users.ReadAsync<TaskInfo>(await server.Client.PostAsync(ApiPaths.Room(roomId) + "/reset", null), HttpStatusCode.Accepted);
            await ExpectClosedAsync(console, ConsoleSessions.MachineRebuilt);
            Assert.Equal(TaskStates.Succeeded, (await server.WaitTaskAsync(reset.Id, TimeSpan.FromMinutes(2))).State);
        }

        // Deleting the room ends the consoles of its machines (here the admin's, on sam's room, on the rebuilt machine).
        using (var console = await OpenVncAsync(server, server.Client, ApiPaths.Machine(roomId, "box")))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await server.Client.DeleteAsync(ApiPaths.Room(roomId))).StatusCode);
            await ExpectClosedAsync(console, ConsoleSessions.MachineDeleted);
        }

        // The audit's "closed" lines say why; the gateway writes each a moment after the close.
        var closed = new List<string>();
        await Bounded.WaitUntilAsync(
            async () =>
            {
                var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=console&limit=50", ServerHarness.Json))!;
                closed = audit.Where(a => a.Outcome == "closed").Select(a => a.Detail ?? "").ToList();
                return closed.Count >= 5;
            },
            Bound,
            "five console closed entries");
        output.WriteLine(string.Join("\n", closed));
        foreach (var reason in new[] { ConsoleSessions.RoleChanged, ConsoleSessions.AccountDisabled, ConsoleSessions.AccountDeleted, ConsoleSessions.MachineRebuilt, ConsoleSessions.MachineDeleted })
        {
            Assert.Single(closed, d => d.EndsWith("; ended: " + reason, StringComparison.Ordinal));
        }
    }

    /// <summary>A VNC console through a fresh ticket, open: QEMU's RFB banner came through.</summary>
    private static async Task<ClientWebSocket> OpenVncAsync(ServerHarness server, HttpClient client, string machine)
    {
        var socket = await ConsoleSockets.OpenAsync(server, client, machine, new ConsoleTicketRequest("vnc"));
        var banner = await ConsoleSockets.ReceiveAtLeastAsync(socket, 12, Bound);
        Assert.StartsWith("RFB 003.008", Encoding.ASCII.GetString(banner), StringComparison.Ordinal);
        return socket;
    }

    /// <summary>The next thing the console says is a close with 1008 and the reason (the guest sends nothing unasked).</summary>
    private static async Task ExpectClosedAsync(ClientWebSocket socket, string reason)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[4096];
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (received.MessageType != WebSocketMessageType.Close);

        Assert.Equal((WebSocketCloseStatus.PolicyViolation, reason), (socket.CloseStatus, socket.CloseStatusDescription));
    }
}
