using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using SkillVL.Core.Api;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11 finding 8: QEMU ran as root, unconfined, while students are root in their guests. Against the real Server
/// and a real tiny VM: its QEMU runs as the unprivileged QEMU user under seccomp filter mode, with no capability and
/// no_new_privs; the guest agent and both consoles still work; the VM's files have the owners and modes ADR 0016
/// designs (what root later opens by name is root's; the QEMU user cannot reach another user's or root's files); and a
/// restarted Server re-adopts the confined VM.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class QemuConfinementTests(ITestOutputHelper output)
{
    private const string QemuUser = "skillvl-qemu";

    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: jail }
        networks:
          - { name: lan, cidr: 10.71.0.0/24 }
        machines:
          - { name: box, template: tiny, memory: 128Mi, nics: [{ network: lan, ip: 10.71.0.5 }] }
        """;

    [Fact]
    public async Task Issue11_QemuRunsUnprivilegedUnderSeccomp_GuestAgentAndConsolesWork_ReadoptedAfterRestart()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        var (uid, gid) = await QemuUserAsync();
        Assert.NotEqual(0, uid);

        var pid = await server.QemuPidAsync("jail", "box");
        var status = ProcStatus(pid);
        output.WriteLine(string.Join('\n', status.Where(l => l.Key is "Uid" or "Gid" or "Groups" or "Seccomp" or "CapEff" or "NoNewPrivs").Select(l => $"{l.Key}: {l.Value}")));
        // Real, effective, saved and filesystem uid: none is root, so nothing can switch back.
        Assert.Equal($"{uid}\t{uid}\t{uid}\t{uid}", status["Uid"]);
        Assert.Equal($"{gid}\t{gid}\t{gid}\t{gid}", status["Gid"]);
        Assert.Equal("2", status["Seccomp"]); // SECCOMP_MODE_FILTER: QEMU's -sandbox is in force
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapBnd"]);
        Assert.Equal("1", status["NoNewPrivs"]);

        // The guest agent answers (the machine reached ready), and both consoles work.
        var exec = await server.ExecAsync("jail", "box", "/bin/sh", "-c", "echo confined-$((6*7))");
        Assert.Equal("confined-42\n", exec.Stdout);
        await AssertConsolesWorkAsync(server);

        // Re-adoption: a new Server finds the same confined QEMU and drives it.
        await server.RestartAsync();
        await Bounded.WaitUntilAsync(
            async () => (await server.GetMachineAsync("jail", "box")) is { State: "running", GuestReady: true },
            TimeSpan.FromMinutes(1),
            "the re-adopted machine reads running and ready");
        Assert.Equal(pid, await server.QemuPidAsync("jail", "box"));
        Assert.Equal("again\n", (await server.ExecAsync("jail", "box", "echo", "again")).Stdout);
    }

    [Fact]
    public async Task Issue11_VmFiles_HaveTheDesignedOwnersAndModes_QemuUserReachesNoOtherFiles()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        var (uid, gid) = await QemuUserAsync();
        var machine = await server.GetMachineAsync("jail", "box");
        var runtime = Path.Combine(server.RuntimeDirectory, "vms", machine.Id);
        var data = Path.Combine(server.DataDirectory, "vms", machine.Id);

        // Runtime directory: root's, group-writable for QEMU's sockets, sticky so QEMU cannot remove root's files.
        Assert.Equal($"0 {gid} 1770", await StatAsync(runtime));
        // Everything root opens by name (QMP, agent, consoles, serial log, pidfile, vm.json) is root's once QEMU is up:
        // a QEMU a guest took over cannot swap it for a link to another socket or file.
        foreach (var name in new[] { "qmp.sock", "qga.sock", "vnc.sock", "spice.sock", "serial.sock", "serial.log", "qemu.pid", "vm.json", "qemu.log" })
        {
            Assert.StartsWith("0 0 ", await StatAsync(Path.Combine(runtime, name)), StringComparison.Ordinal);
        }

        // Disk directory: search only; the overlay read-write for the QEMU group; nothing for others.
        Assert.Equal($"0 {gid} 710", await StatAsync(data));
        Assert.Equal($"0 {gid} 660", await StatAsync(Path.Combine(data, "disk.qcow2")));

        // The tap is owned by the QEMU user (QEMU attaches to it unprivileged, to no other).
        var nic = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(runtime, "vm.json")))!["spec"]!["nics"]![0]!["id"]!.GetValue<string>();
        var link = await HostTools.RunAsync("ip", ["-d", "link", "show", "dev", "svt" + nic], TimeSpan.FromSeconds(10));
        Assert.Contains($"user {QemuUser} group {QemuUser}", link.Stdout, StringComparison.Ordinal);

        // What the QEMU user can do, tried as that user: not read /etc/shadow or the Server's database, not write a
        // VM's QMP socket (no connect), not list the VM directories (no finding another VM's files by name).
        Assert.False(await AsQemuUserAsync(uid, gid, "test", "-r", "/etc/shadow"));
        Assert.False(await AsQemuUserAsync(uid, gid, "test", "-w", Path.Combine(runtime, "qmp.sock")));
        Assert.False(await AsQemuUserAsync(uid, gid, "ls", Path.Combine(server.DataDirectory, "vms")));
        Assert.False(await AsQemuUserAsync(uid, gid, "ls", Path.Combine(server.RuntimeDirectory, "vms")));
        Assert.True(await AsQemuUserAsync(uid, gid, "test", "-w", Path.Combine(data, "disk.qcow2")));
    }

    private static async Task AssertConsolesWorkAsync(ServerHarness server)
    {
        var tickets = ApiPaths.Machine("jail", "box") + "/console/tickets";
        var vnc = await (await server.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("vnc"), ServerHarness.Json)).Content
            .ReadFromJsonAsync<ConsoleTicket>(ServerHarness.Json);
        using (var socket = await ConnectAsync(server, vnc!.Url))
        {
            Assert.StartsWith("RFB 003.008", await ReceiveUntilAsync(socket, "RFB 003.008"), StringComparison.Ordinal);
        }

        var serial = await (await server.Client.PostAsJsonAsync(tickets, new ConsoleTicketRequest("serial"), ServerHarness.Json)).Content
            .ReadFromJsonAsync<ConsoleTicket>(ServerHarness.Json);
        using (var socket = await ConnectAsync(server, serial!.Url))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes("\r"), WebSocketMessageType.Binary, true, CancellationToken.None);
            Assert.Contains("login:", await ReceiveUntilAsync(socket, "login:"), StringComparison.Ordinal);
        }
    }

    private static async Task<ClientWebSocket> ConnectAsync(ServerHarness server, string url)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(server.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + url), CancellationToken.None);
        return socket;
    }

    private static async Task<string> ReceiveUntilAsync(ClientWebSocket socket, string text)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var screen = new StringBuilder();
        var buffer = new byte[4096];
        while (screen.ToString().IndexOf(text, StringComparison.Ordinal) < 0)
        {
            var result = await socket.ReceiveAsync(buffer, limit.Token);
            screen.Append(Encoding.Latin1.GetString(buffer, 0, result.Count));
        }

        return screen.ToString();
    }

    private static Dictionary<string, string> ProcStatus(int pid) =>
        File.ReadAllLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status")
            .Select(line => line.Split(':', 2))
            .ToDictionary(f => f[0], f => f[1].Trim(), StringComparer.Ordinal);

    private static async Task<(int Uid, int Gid)> QemuUserAsync()
    {
        var entry = await HostTools.RunAsync("getent", ["passwd", QemuUser], TimeSpan.FromSeconds(10));
        Assert.Equal(0, entry.ExitCode);
        var fields = entry.Stdout.Trim().Split(':');
        return (int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>"uid gid mode" of a path, not following a link.</summary>
    private static async Task<string> StatAsync(string path)
    {
        var result = await HostTools.RunAsync("stat", ["-c", "%u %g %a", "--", path], TimeSpan.FromSeconds(10));
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.Stdout.Trim();
    }

    private static async Task<bool> AsQemuUserAsync(int uid, int gid, params string[] command)
    {
        var result = await HostTools.RunAsync(
            "setpriv",
            [$"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--", .. command],
            TimeSpan.FromSeconds(10));
        return result.ExitCode == 0;
    }
}
