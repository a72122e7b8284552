using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// Issue 12's check-out, offline-first and check-in on one real testbed (ADR 0023, 0024): a client behind a NAT of its
/// own at 50 Mbit/s, 40 ms.
/// <list type="number">
/// <item>Nothing on node1 can connect to the client (<c>.Nat.cs</c>). A running VM is checked out to it (an admin's room
/// on the unowned testbed client) while the peer on node1 probes it, and reaches it through the relay after; node1 keeps
/// its disk as the retained copy; the guest writes 64 MiB; <c>POST .../sync</c> puts exactly that into the retained copy (<c>qemu-img
/// compare</c> of the client's disk and the copy, the guest's filesystem frozen).</item>
/// <item>The room's second VM moves to the client too, and the client's link is cut for two minutes. With no Server, the
/// owner works through the agent's local socket: the serial console (log in, run a command, write 8 MiB of known data),
/// VM A pings VM B over the room's bridge on the client, B is stopped and started locally; then the client "restarts"
/// (its agent and B's QEMU killed by pid, the agent started again): A, still running, is re-adopted, B cold-booted.</item>
/// <item>In the same cut, a lost laptop (ADR 0025, see the <c>.Lease.cs</c> part): <c>sam/lost</c>, a course instance
/// checked out under its course's 40 s lease, is paused by the laptop when the lease runs out, refused a local start, and
/// revived on node1 from its retained copy; once the link is back the laptop's copy is fenced, kept and then discarded.</item>
/// <item>Link up: the node is back, one QEMU per VM, A's counter ran through it all, the Server shows what happened
/// offline, and the next sync carries the offline writes into the retained copy.</item>
/// <item>The guest writes 8 MiB more and the check-in carries about that plus RAM, not what was synced; the data is
/// intact.</item>
/// </list>
/// One scenario, not three tests, because each needs the same NAT'd testbed and a cut link, and a check-out's offline
/// writes only matter once synced; the cut that the offline work needs anyway is long enough for a 40 s lease to run out. The refusals answer with the field or 409 and leave the VM running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed partial class CheckoutOfflineTestbedTests(ITestOutputHelper output)
{
    private const long MiB = 1L << 20;
    private static readonly TimeSpan Cut = TimeSpan.FromMinutes(2);
    private static readonly string AgentDll = Path.Combine(AppContext.BaseDirectory, "skillvl-agent.dll");

    [Fact]
    public async Task Checkout_Sync_LinkCutTwoMinutes_LocalWorkAndClientRestart_LostLaptopRevivedAndFenced_OfflineWritesSynced_CheckinSendsOnlyTheChangesPlusRam()
    {
        // Only the test's own syncs: a background one in between would take the check-in's changes away from it.
        await using var server = await ServerHarness.StartAsync(o => o.Checkout.SyncInterval = TimeSpan.FromHours(1));
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms", behindNat: true,
            subnet: await Nodes.FreeUnderlay.PickForCheckoutAsync());
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: home }
            networks:
              - { name: lan, cidr: 10.65.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.65.0.10 }] }
              - { name: peer, template: tiny, node: node1, nics: [{ network: lan, ip: 10.65.0.11 }] }
            """);
        await ApplyLeaseCourseAsync(server);
        var deleted = false;
        Process? restarted = null;
        try
        {
            var (retained, clientDisk) = await CheckOutAndSyncAsync(server, bed);
            await LeaseBeforeCutAsync(server);
            restarted = await OfflineAsync(server, bed);
            await LeaseAfterCutAsync(server, Path.Combine(bed.State, "nodes"));
            await OfflineWritesAreSyncedAsync(server, retained, clientDisk);
            await CheckInAsync(server, bed, retained);
            await server.DeleteRoomAsync("home");
            await server.DeleteRoomAsync(Lost);
            deleted = true;
        }
        finally
        {
            if (!deleted)
            {
                DumpAgentLogs(bed);
                // A failed check must surface, not the testbed's refusal to remove a node that still has machines.
                foreach (var room in new[] { "home", Lost })
                {
                    using var _ = await server.Client.DeleteAsync(ApiPaths.Room(room));
                    await Bounded.WaitUntilAsync(
                        async () => (await server.Client.GetAsync(ApiPaths.Room(room))).StatusCode == HttpStatusCode.NotFound,
                        TimeSpan.FromMinutes(2), "the room to be deleted", TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }

            if (restarted is not null)
            {
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                restarted.Dispose();
            }
        }
    }

    private string? bootId;
    private int counter;
    private string? data;
    private string? offline;

    /// <summary>Refusals, the check-out, 64 MiB written and synced: the retained copy equals the client's disk.</summary>
    private async Task<(string Retained, string ClientDisk)> CheckOutAndSyncAsync(ServerHarness server, Bed bed)
    {
        var nodes = Path.Combine(bed.State, "nodes");
        var vm = await server.GetMachineAsync("home", "vm");
        bootId = await BootIdAsync(server, "home", "vm");
        counter = await StartCounterAsync(server, "home", "vm");

        // Refused before anything moves: to a server node (400 to), a check-in of a machine not checked out (409).
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("node1"), HttpStatusCode.BadRequest, "to");
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("nowhere"), HttpStatusCode.BadRequest, "to");
        await ExpectProblemAsync(server, "vm", "checkin", null, HttpStatusCode.Conflict, null);
        await ExpectProblemAsync(server, "vm", "sync", null, HttpStatusCode.Conflict, null);
        Assert.Equal("node1", (await server.GetMachineAsync("home", "vm")).Node);

        await OutboundOnlyAsync(bed);
        var linkBefore = bed.ClientLinkBytes();
        var checkout = await UntilMovedAsync(server, "checkout", new CheckoutRequest("laptop1"));
        Report("check-out node1 → laptop1", checkout, bed.ClientLinkBytes() - linkBefore);
        Assert.Equal(MigrationStates.Succeeded, checkout.State);
        var status = await server.GetMachineAsync("home", "vm");
        Assert.Equal("laptop1", status.Node);
        Assert.NotNull(status.Checkout);
        Assert.Equal(("laptop1", "node1", (DateTimeOffset?)null), (status.Checkout!.Node, status.Checkout.RetainedOn, status.Checkout.LastSyncAt));
        var retained = Path.Combine(nodes, "node1", "data", "retained", vm.Id, "disk.qcow2");
        var clientDisk = Path.Combine(nodes, "laptop1", "data", "vms", vm.Id, "disk.qcow2");
        Assert.True(File.Exists(retained), $"no retained copy at {retained}");
        Assert.False(Directory.Exists(Path.Combine(nodes, "node1", "data", "vms", vm.Id)), "the VM itself is still on node1");
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        await PeerReachesThroughRelayAsync(server, checkout);

        // Refused while checked out: a second check-out (409), a plain move (409).
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("laptop1"), HttpStatusCode.Conflict, null);
        using (var move = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("home/vm", "node1"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.Conflict, move.StatusCode);
        }

        data = await WriteDataAsync(server, "home", "vm", "data", 64);
        var sync = await FrozenSyncAsync(server, retained, clientDisk);
        Assert.InRange(sync.BytesCopied, 64 * MiB, 80 * MiB);
        Assert.NotNull(sync.Checkout.LastSyncAt);
        Assert.Equal(sync.BytesCopied, (await server.GetMachineAsync("home", "vm")).Checkout!.SyncedBytes);
        return (retained, clientDisk);
    }

    /// <summary>B joins A on the client; the link is cut for <see cref="Cut"/>; the owner works locally; the client restarts.</summary>
    private async Task<Process?> OfflineAsync(ServerHarness server, Bed bed)
    {
        var moved = await MigrateUntilMovedAsync(server, new CreateMigrationRequest("home/peer", "laptop1"), output);
        Assert.True(moved.State == MigrationStates.Succeeded, $"peer: {moved.Error}");

        var laptop = (await bed.StatusAsync())!.Nodes.Single(n => n.Name == "laptop1");
        var state = JsonSerializer.Deserialize<TestbedState>(await File.ReadAllTextAsync(Path.Combine(bed.State, "testbed.json")), JsonSerializerOptions.Web)!
            .Nodes.Single(n => n.Name == "laptop1");
        var socket = Path.Combine(state.Directory, "run", "local.sock");
        var vm = await server.GetMachineAsync("home", "vm");
        var peer = await server.GetMachineAsync("home", "peer");
        var before = await CounterAsync(server, "home", "vm", counter);
        var vmQemu = Assert.Single(ProcessReaper.ProcessesMentioning(vm.Id));

        // The socket is root's alone.
        Assert.Equal("0 600", (await HostTools.RunAsync("stat", ["-c", "%u %a", socket], TimeSpan.FromSeconds(10))).Stdout.Trim());

        await bed.SetClientLinkAsync(up: false);
        var cut = Stopwatch.StartNew();
        Process? restarted = null;
        try
        {
            await WaitNodeAsync(server, s => s != "ready", "laptop1 to be seen as away");

            // And the agent knows it too (its WebSocket's keep-alive gave up): what it does now, it does offline.
            await Bounded.WaitUntilAsync(
                () => File.ReadAllText(state.Agent!.Log).Contains("lost; reconnecting", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the agent to notice the cut", TimeSpan.FromSeconds(1));

            // The serial console of A through the local socket, inside the client's namespace: log in, run a command, and
            // write 8 MiB of known data — work done offline, which the sync must carry once the link is back.
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "\r", "login:");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "root\r", "assword:");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "skillvl\r", "#");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "echo offline-$((6*7))\r", "offline-42");
            await ConsoleAsync(laptop.Namespace, socket, "home/vm",
                $"yes {OfflineLine} | head -c {OfflineBytes} > /root/offline && sync && echo written-$((6*7))\r", "written-42", TimeSpan.FromSeconds(60));
            offline = OfflineChecksum();

            // A reaches B over the room network: both taps are on the room's bridge on the client.
            await ConsoleAsync(laptop.Namespace, socket, "home/vm", "ping -c 3 -W 2 10.65.0.11 >/dev/null && echo peer-$((6*7))\r", "peer-42", TimeSpan.FromSeconds(30));

            // B stopped and started by its owner, locally.
            await LocalAsync(laptop.Namespace, socket, "stop", "home/peer");
            Assert.Contains("stopped", (await LocalAsync(laptop.Namespace, socket, "vms")).Split('\n').Single(l => l.StartsWith("home/peer ", StringComparison.Ordinal)), StringComparison.Ordinal);
            await LocalAsync(laptop.Namespace, socket, "start", "home/peer");
            await ConsoleAsync(laptop.Namespace, socket, "home/peer", "\r", "login:", TimeSpan.FromSeconds(90));

            // The client restarts: agent and B's QEMU killed (by pid), the agent started again with the link still down.
            var agentPid = state.Agent!.Pid;
            var peerQemu = Assert.Single(ProcessReaper.ProcessesMentioning(peer.Id));
            Process.GetProcessById(agentPid).Kill();
            Process.GetProcessById(peerQemu).Kill();
            await Bounded.WaitUntilAsync(() => Task.FromResult(!File.Exists($"/proc/{agentPid}") && !File.Exists($"/proc/{peerQemu}")), TimeSpan.FromSeconds(20), "agent and QEMU gone");
            restarted = StartAgentAgain(state);
            await Bounded.WaitUntilAsync(
                async () => (await LocalRunAsync(laptop.Namespace, socket, "vms")).ExitCode == 0, TimeSpan.FromSeconds(60), "the restarted agent's local socket", TimeSpan.FromSeconds(1));
            await ConsoleAsync(laptop.Namespace, socket, "home/peer", "\r", "login:", TimeSpan.FromSeconds(90));
            Assert.Equal([vmQemu], ProcessReaper.ProcessesMentioning(vm.Id)); // A re-adopted, not started again

            // The lost laptop's lease has run out by now (40 s): paused there, revived on node1.
            await LeaseDuringCutAsync(server, Path.Combine(bed.State, "nodes"));

            var left = Cut - cut.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left);
            }
        }
        finally
        {
            await bed.SetClientLinkAsync(up: true);
        }

        output.WriteLine($"laptop1 was cut off for {cut.Elapsed.TotalSeconds:0.0} s");
        Assert.True(cut.Elapsed >= Cut, $"the cut lasted {cut.Elapsed}");
        var back = Stopwatch.StartNew();
        await WaitNodeAsync(server, s => s == "ready", "laptop1 to be back");
        output.WriteLine($"laptop1 back {back.Elapsed.TotalSeconds:0.0} s after the link came up");

        // A ran on through everything: same boot, its counter advanced (10 a second).
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        var after = await CounterAsync(server, "home", "vm", counter);
        output.WriteLine($"counter {before} before the cut, {after} after");
        Assert.True(after - before >= Cut.TotalSeconds * 10 * 0.5, $"the counter went from {before} to {after}");

        // B runs again (desired: running, as the owner's last local action said) and the Server configures it again.
        await Bounded.WaitUntilAsync(
            async () => (await server.ExecAsync("home", "vm", "ping", "-c", "1", "-W", "2", "10.65.0.11")).ExitCode == 0,
            TimeSpan.FromSeconds(120), "A to reach B after the link came back", TimeSpan.FromSeconds(2));
        Assert.Equal("running", (await server.GetMachineAsync("home", "peer")).DesiredState);
        Assert.Single(ProcessReaper.ProcessesMentioning(vm.Id));
        Assert.Single(ProcessReaper.ProcessesMentioning(peer.Id));
        Assert.Equal("laptop1", (await server.GetMachineAsync("home", "vm")).Checkout?.Node);

        var audit = (await server.Client.GetFromJsonAsync<List<AuditEntry>>(ApiPaths.Audit + "?action=machine.local.", ServerHarness.Json))!;
        foreach (var entry in audit)
        {
            output.WriteLine($"{entry.At:O} {entry.Action} {entry.Target} {entry.Outcome}: {entry.Detail}");
        }

        foreach (var action in new[] { "stopped-locally", "started-locally", "restored-after-restart" })
        {
            Assert.Contains(audit, a => a.Action == "machine.local." + action && a.Target == "home/peer" && a.Outcome == "recorded" && a.Detail!.Contains("while offline", StringComparison.Ordinal));
        }

        return restarted;
    }

    /// <summary>The first sync after the link came back carries what was written offline: the retained copy equals the disk.</summary>
    private async Task OfflineWritesAreSyncedAsync(ServerHarness server, string retained, string clientDisk)
    {
        var sync = await FrozenSyncAsync(server, retained, clientDisk);
        Assert.InRange(sync.BytesCopied, OfflineBytes, OfflineBytes + 16 * MiB);
        Assert.Equal(offline, await ChecksumAsync(server, "home", "vm", "offline"));
    }

    /// <summary>8 MiB more, then the check-in: roughly those plus RAM cross the link, not the 72 MiB synced before.</summary>
    private async Task CheckInAsync(ServerHarness server, Bed bed, string retained)
    {
        var more = await WriteDataAsync(server, "home", "vm", "more", 8);
        var before = await CounterAsync(server, "home", "vm", counter);
        var linkBefore = bed.ClientLinkBytes();
        var checkin = await UntilMovedAsync(server, "checkin", null);
        var checkinLink = bed.ClientLinkBytes() - linkBefore;
        Report("check-in laptop1 → node1", checkin, checkinLink);
        Assert.Equal(MigrationStates.Succeeded, checkin.State);
        Assert.Equal("node1", checkin.To);
        Assert.InRange(checkin.Metrics.DiskBytes ?? -1, 8 * MiB, 16 * MiB);
        Assert.True(checkinLink < (checkin.Metrics.RamBytes ?? 0) + 24 * MiB,
            $"check-in put {checkinLink} B on the link for {checkin.Metrics.DiskBytes} B of disk and {checkin.Metrics.RamBytes} B of RAM");
        var status = await server.GetMachineAsync("home", "vm");
        Assert.Equal(("node1", (CheckoutInfo?)null), (status.Node, status.Checkout));
        Assert.False(File.Exists(retained), "the retained copy is still in the retained place after the check-in");
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        Assert.True(await CounterAsync(server, "home", "vm", counter) > before);
        Assert.Equal(data, await ChecksumAsync(server, "home", "vm", "data"));
        Assert.Equal(offline, await ChecksumAsync(server, "home", "vm", "offline"));
        Assert.Equal(more, await ChecksumAsync(server, "home", "vm", "more"));
        Assert.Equal(0, (await server.ExecAsync("home", "peer", "ping", "-c", "2", "-W", "3", "10.65.0.10")).ExitCode);

        // A stopped machine is not checked out (400 machine).
        await server.PostTaskAsync(ApiPaths.Machine("home", "vm") + "/stop", TimeSpan.FromMinutes(2));
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("laptop1"), HttpStatusCode.BadRequest, "machine");
    }

    private const string OfflineLine = "written-while-offline";
    private const long OfflineBytes = 8 * MiB;

    /// <summary>sha256 of what <c>yes LINE | head -c N</c> writes, as the guest's <c>sha256sum</c> prints it.</summary>
    private static string OfflineChecksum()
    {
        var line = Encoding.ASCII.GetBytes(OfflineLine + "\n");
        var bytes = new byte[OfflineBytes];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = line[i % line.Length];
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>A sync with the guest's filesystem frozen, then <c>qemu-img compare</c> of the client's disk and the retained copy.</summary>
    private async Task<CheckoutSyncInfo> FrozenSyncAsync(ServerHarness server, string retained, string clientDisk)
    {
        await FreezeAsync(server, freeze: true);
        CheckoutSyncInfo sync;
        (int ExitCode, string Stdout, string Stderr) compared;
        try
        {
            sync = await SyncAsync(server);
            output.WriteLine($"sync: {sync.BytesCopied} B copied, {sync.TunnelBytes} B on the tunnel in {sync.ElapsedMs:0} ms (full {sync.FullCopy}); unsynced after: {sync.Checkout.UnsyncedBytes}");
            compared = await HostTools.RunAsync("qemu-img", ["compare", "-U", clientDisk, retained], TimeSpan.FromSeconds(120));
            output.WriteLine($"qemu-img compare: {compared.ExitCode} {compared.Stdout}{compared.Stderr}");
        }
        finally
        {
            await FreezeAsync(server, freeze: false);
        }

        Assert.True(compared.ExitCode == 0, compared.Stdout + compared.Stderr);
        return sync;
    }

    /// <summary>POSTs a check-out or check-in (a second one while it runs is 409) and follows it; retried while the platform takes a move back because the
    /// guest did not answer on the target (QEMU 7.2 under TCG, ADR 0012) — the machine must then be where it was.</summary>
    private Task<MigrationInfo> UntilMovedAsync(ServerHarness server, string action, CheckoutRequest? request) =>
        Nodes.MigrationTestbedTests.UntilMovedAsync(server, async () =>
        {
            using var response = request is null
                ? await server.Client.PostAsync(ApiPaths.Machine("home", "vm") + "/" + action, null)
                : await server.Client.PostAsJsonAsync(ApiPaths.Machine("home", "vm") + "/" + action, request, ServerHarness.Json);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{action}: {(int)response.StatusCode} {body}");
            var migration = JsonSerializer.Deserialize<MigrationInfo>(body, ServerHarness.Json)!;

            // The same request again while this one moves the machine: 409, and the move goes on.
            await ExpectProblemAsync(server, "vm", action, request, HttpStatusCode.Conflict, null);
            return await FollowAsync(server, migration);
        }, output);

    private static async Task<CheckoutSyncInfo> SyncAsync(ServerHarness server)
    {
        using var response = await server.Client.PostAsync(ApiPaths.Machine("home", "vm") + "/sync", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"sync: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<CheckoutSyncInfo>(body, ServerHarness.Json)!;
    }

    private static async Task FreezeAsync(ServerHarness server, bool freeze)
    {
        var result = await server.ExecAsync("home", "vm", "sh", "-c", freeze ? "sync && fsfreeze --freeze /" : "fsfreeze --unfreeze /");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }

    /// <summary>The request is refused with <paramref name="status"/>, naming <paramref name="field"/> for a 400.</summary>
    private static async Task ExpectProblemAsync(ServerHarness server, string machine, string action, CheckoutRequest? request, HttpStatusCode status, string? field)
    {
        using var response = request is null
            ? await server.Client.PostAsync(ApiPaths.Machine("home", machine) + "/" + action, null)
            : await server.Client.PostAsJsonAsync(ApiPaths.Machine("home", machine) + "/" + action, request, ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{action} {machine}: {(int)response.StatusCode} {body}");
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(body);
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
        }
    }

    private void Report(string move, MigrationInfo migration, long linkBytes)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{move}: {migration.State} in {migration.Metrics.TotalTimeMs:0} ms, downtime {migration.Metrics.DowntimeMs} ms, {linkBytes} B on the link " +
            $"(RAM {migration.Metrics.RamBytes}, disk {migration.Metrics.DiskBytes}, base {migration.Metrics.BaseBytes}) {migration.Error}"));
        output.WriteLine(string.Join('\n', migration.Log.Select(l => $"  {l.Message}")));
    }

    private static async Task WaitNodeAsync(ServerHarness server, Func<string, bool> wanted, string what) =>
        await Bounded.WaitUntilAsync(
            async () => (await server.Client.GetFromJsonAsync<List<NodeInfo>>(ApiPaths.Nodes, ServerHarness.Json))!.Any(n => n.Name == "laptop1" && wanted(n.State)),
            TimeSpan.FromSeconds(90),
            what,
            TimeSpan.FromMilliseconds(500));
}
