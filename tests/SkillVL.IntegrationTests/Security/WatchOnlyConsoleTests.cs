using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// ADR 0050 against a real Server and a real guest: a watch-only VNC console beside the student's own gets the whole
/// handshake and the screen, and its key, pointer and clipboard messages are dropped before the guest; the student sees
/// who watches in the room's and the machine's state, until the watcher leaves; the audit says how much input was
/// dropped. ADR 0054: the serial console is shared on the node — a watcher and a second full console beside the
/// student's all see the guest's output; the full consoles' input runs, the watcher's is dropped.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class WatchOnlyConsoleTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: watched }
        networks:
          - { name: lan, cidr: 10.72.0.0/24 }
        machines:
          - { name: box, template: tiny, nics: [{ network: lan, ip: 10.72.0.5 }] }
        """;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Issue17_WatchOnly_SeesTheScreen_SendsNoInput_AndTheStudentSeesTheWatcher()
    {
        await using var server = await ServerHarness.StartAsync();
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        var roomId = (await Users.CreateRoomAsync(server, sam, Room)).Id;

        // The student works on the screen (shared, as noVNC asks); the admin watches it and asks for exclusive access,
        // which the filter turns into shared: QEMU would otherwise disconnect the student.
        using var student = await OpenAsync(server, sam.Client, ApiPaths.Machine("watched", "box"), "vnc", watch: false);
        await HandshakeAsync(student, shared: true);
        var watcher = await OpenAsync(server, server.Client, ApiPaths.Machine(roomId, "box"), "vnc", watch: true);
        var width = await HandshakeAsync(watcher, shared: false);

        // The student sees who watches, in the room and in the machine; the admin sees the student's console.
        var viewers = (await sam.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room("watched"), ServerHarness.Json))!.Machines.Single().Viewers;
        var viewer = Assert.Single(viewers!);
        Assert.Equal(("admin", "vnc", true), (viewer.User, viewer.Kind, viewer.WatchOnly));
        Assert.Equal("admin", Assert.Single((await sam.Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("watched", "box"), ServerHarness.Json))!.Viewers!).User);
        Assert.Contains(
            (await server.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room(roomId), ServerHarness.Json))!.Machines.Single().Viewers!,
            w => w.User == "sam" && !w.WatchOnly);

        // The watcher's key press, pointer move and paste are dropped; the screen still comes: a full update of 16 rows.
        byte[] input = [4, 1, 0, 0, 0, 0, 0, 0x61, 5, 1, 0, 10, 0, 20, 6, 0, 0, 0, 0, 0, 0, 2, (byte)'l', (byte)'s'];
        await ConsoleSockets.SendAsync(watcher, input);
        await ConsoleSockets.SendAsync(watcher, [3, 0, 0, 0, 0, 0, (byte)(width >> 8), (byte)width, 0, 16]);
        var update = await ConsoleSockets.ReceiveAtLeastAsync(watcher, 4);
        Assert.Equal(0, update[0]); // FramebufferUpdate
        output.WriteLine($"VNC watch: screen {width} wide, an update of {update.Length}+ bytes");
        await ConsoleSockets.SendAsync(student, [3, 0, 0, 0, 0, 0, (byte)(width >> 8), (byte)width, 0, 16]);
        Assert.Equal(0, (await ConsoleSockets.ReceiveAtLeastAsync(student, 4))[0]); // the student's session is still served

        // ADR 0054: the serial console is shared on the node. The student logs in on it; the admin watches it and a
        // teacher-like second full console (the admin again) types beside the student: all see the guest's output, the
        // full consoles' input runs, the watcher's never does.
        var studentScreen = new StringBuilder();
        using var studentSerial = await OpenAsync(server, sam.Client, ApiPaths.Machine("watched", "box"), "serial", watch: false);
        await ConsoleSockets.SendAsync(studentSerial, "\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "login:");
        var watchScreen = new StringBuilder();
        using var serialWatcher = await OpenAsync(server, server.Client, ApiPaths.Machine(roomId, "box"), "serial", watch: true);
        var fullScreen = new StringBuilder();
        using var secondFull = await OpenAsync(server, server.Client, ApiPaths.Machine(roomId, "box"), "serial", watch: false);
        await ConsoleSockets.SendAsync(studentSerial, "root\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "assword:");
        await ConsoleSockets.SendAsync(studentSerial, "skillvl\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "#");
        await ConsoleSockets.SendAsync(studentSerial, "echo student-$((6*7))\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "student-42");
        await ConsoleSockets.ExpectAsync(serialWatcher, watchScreen, "student-42");
        await ConsoleSockets.ExpectAsync(secondFull, fullScreen, "student-42");
        var typed = "echo watcher-$((1+1))\r"u8.ToArray();
        await ConsoleSockets.SendAsync(serialWatcher, typed);
        await ConsoleSockets.SendAsync(secondFull, "echo second-$((3+4))\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "second-7");
        await ConsoleSockets.SendAsync(studentSerial, "echo last-$((2+3))\r"u8.ToArray());
        await ConsoleSockets.ExpectAsync(studentSerial, studentScreen, "last-5");
        await ConsoleSockets.ExpectAsync(serialWatcher, watchScreen, "last-5");
        Assert.DoesNotContain("watcher", studentScreen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("watcher", watchScreen.ToString(), StringComparison.Ordinal);
        output.WriteLine($"serial, as the watcher saw it:\n{watchScreen}");
        Assert.Contains(
            (await sam.Client.GetFromJsonAsync<MachineStatus>(ApiPaths.Machine("watched", "box"), ServerHarness.Json))!.Viewers!,
            v => v is { User: "admin", Kind: "serial", WatchOnly: true });
        serialWatcher.Dispose();
        secondFull.Dispose();
        studentSerial.Dispose();

        watcher.Dispose();
        var audit = new List<AuditEntry>();
        await Bounded.WaitUntilAsync(
            async () =>
            {
                audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?user=admin&action=console&limit=50", ServerHarness.Json))!;
                return audit.Count(a => a.Outcome == "closed") >= 3;
            },
            Bound,
            "the watch console's closed entry");
        output.WriteLine(string.Join("\n", audit.Select(a => $"{a.Outcome}: {a.Detail}")));
        Assert.Contains(audit, a => a.Outcome == "opened" && a.Detail == "vnc (watch only)");
        Assert.Contains(audit, a => a.Outcome == "closed" && a.Detail!.Contains($"(watch only: {input.Length} bytes of input dropped)", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Outcome == "opened" && a.Detail == "serial (watch only)");
        Assert.Contains(audit, a => a.Outcome == "closed" && a.Detail!.StartsWith("serial:", StringComparison.Ordinal)
            && a.Detail.Contains($"(watch only: {typed.Length} bytes of input dropped)", StringComparison.Ordinal));

        // Closed, the watcher is no longer shown to the student (the session unregisters just after its audit line).
        await Bounded.WaitUntilAsync(
            async () => (await sam.Client.GetFromJsonAsync<RoomDetails>(ApiPaths.Room("watched"), ServerHarness.Json))!.Machines.Single().Viewers!.Count == 0,
            Bound,
            "the watcher gone from the student's room");
    }

    /// <summary>RFB 3.8 with no security, as noVNC does it; returns the screen's width from ServerInit.</summary>
    private static async Task<int> HandshakeAsync(ClientWebSocket socket, bool shared)
    {
        Assert.StartsWith("RFB 003.008", Encoding.ASCII.GetString(await ConsoleSockets.ReceiveAtLeastAsync(socket, 12)), StringComparison.Ordinal);
        await ConsoleSockets.SendAsync(socket, Encoding.ASCII.GetBytes("RFB 003.008\n"));
        var types = await ConsoleSockets.ReceiveAtLeastAsync(socket, 2);
        Assert.Contains((byte)1, types.AsSpan(1, types[0]).ToArray());
        await ConsoleSockets.SendAsync(socket, [1]);
        Assert.Equal([0, 0, 0, 0], await ConsoleSockets.ReceiveAtLeastAsync(socket, 4)); // SecurityResult OK
        await ConsoleSockets.SendAsync(socket, [shared ? (byte)1 : (byte)0]); // ClientInit
        var init = await ConsoleSockets.ReceiveAtLeastAsync(socket, 24);
        return (init[0] << 8) | init[1];
    }

    private static Task<ClientWebSocket> OpenAsync(ServerHarness server, HttpClient client, string machine, string kind, bool watch) =>
        ConsoleSockets.OpenAsync(server, client, machine, new ConsoleTicketRequest(kind, watch));
}
