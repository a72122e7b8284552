using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// Issue 12's check-out and check-in through the Server on a real testbed (ADR 0023): a client behind a NAT of its own at
/// 50 Mbit/s, 40 ms. A running VM is checked out to it (an admin's room on the unowned testbed client); node1 keeps its
/// disk as the retained copy; the guest writes 64 MiB; <c>POST .../sync</c> puts exactly that into the retained copy
/// (<c>qemu-img compare</c> of the client's disk and the copy, the guest's filesystem frozen); the guest writes 8 MiB more
/// and the check-in carries about that plus RAM; the counter continues and the data is intact. The refusals answer
/// with the field or 409 and leave the VM running where it was.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class CheckoutTestbedTests(ITestOutputHelper output)
{
    private const long MiB = 1L << 20;

    [Fact]
    public async Task Checkout_ToNatClient_RetainsTheDisk_SyncFillsTheCopy_CheckinSendsOnlyTheChangesPlusRam()
    {
        // Only the test's own sync: a background one in between would take the check-in's changes away from it.
        await using var server = await ServerHarness.StartAsync(o => o.Checkout.SyncInterval = TimeSpan.FromHours(1));
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms", behindNat: true);
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
        var nodes = Path.Combine(bed.State, "nodes");
        var vm = await server.GetMachineAsync("home", "vm");
        var bootId = await BootIdAsync(server, "home", "vm");
        var counter = await StartCounterAsync(server, "home", "vm");

        // Refused before anything moves: to a server node (400 to), a check-in of a machine not checked out (409).
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("node1"), HttpStatusCode.BadRequest, "to");
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("nowhere"), HttpStatusCode.BadRequest, "to");
        await ExpectProblemAsync(server, "vm", "checkin", null, HttpStatusCode.Conflict, null);
        await ExpectProblemAsync(server, "vm", "sync", null, HttpStatusCode.Conflict, null);
        Assert.Equal("node1", (await server.GetMachineAsync("home", "vm")).Node);

        // Check-out.
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

        // Refused while checked out: a second check-out (409), a plain move (409).
        await ExpectProblemAsync(server, "vm", "checkout", new CheckoutRequest("laptop1"), HttpStatusCode.Conflict, null);
        using (var move = await server.Client.PostAsJsonAsync(ApiPaths.Migrations, new CreateMigrationRequest("home/vm", "node1"), ServerHarness.Json))
        {
            Assert.Equal(HttpStatusCode.Conflict, move.StatusCode);
        }

        // 64 MiB of known data, then a sync with the guest's filesystem frozen: the retained copy is the client's disk.
        var data = await WriteDataAsync(server, "home", "vm", "data", 64);
        await FreezeAsync(server, freeze: true);
        var sync = await SyncAsync(server);
        output.WriteLine($"sync: {sync.BytesCopied} B copied, {sync.TunnelBytes} B on the tunnel in {sync.ElapsedMs:0} ms (full {sync.FullCopy}); unsynced after: {sync.Checkout.UnsyncedBytes}");
        var compared = await HostTools.RunAsync("qemu-img", ["compare", "-U", clientDisk, retained], TimeSpan.FromSeconds(120));
        output.WriteLine($"qemu-img compare: {compared.ExitCode} {compared.Stdout}{compared.Stderr}");
        await FreezeAsync(server, freeze: false);
        Assert.True(compared.ExitCode == 0, compared.Stdout + compared.Stderr);
        Assert.InRange(sync.BytesCopied, 64 * MiB, 80 * MiB);
        Assert.NotNull(sync.Checkout.LastSyncAt);
        Assert.Equal(sync.BytesCopied, (await server.GetMachineAsync("home", "vm")).Checkout!.SyncedBytes);

        // 8 MiB more, then check-in: roughly those plus RAM cross the link, not the 64 MiB synced before.
        var more = await WriteDataAsync(server, "home", "vm", "more", 8);
        var before = await CounterAsync(server, "home", "vm", counter);
        linkBefore = bed.ClientLinkBytes();
        var checkin = await UntilMovedAsync(server, "checkin", null);
        var checkinLink = bed.ClientLinkBytes() - linkBefore;
        Report("check-in laptop1 → node1", checkin, checkinLink);
        Assert.Equal(MigrationStates.Succeeded, checkin.State);
        Assert.Equal("node1", checkin.To);
        Assert.InRange(checkin.Metrics.DiskBytes ?? -1, 8 * MiB, 16 * MiB);
        Assert.True(checkinLink < (checkin.Metrics.RamBytes ?? 0) + 24 * MiB,
            $"check-in put {checkinLink} B on the link for {checkin.Metrics.DiskBytes} B of disk and {checkin.Metrics.RamBytes} B of RAM");
        status = await server.GetMachineAsync("home", "vm");
        Assert.Equal(("node1", (CheckoutInfo?)null), (status.Node, status.Checkout));
        Assert.False(File.Exists(retained), "the retained copy is still in the retained place after the check-in");
        Assert.Equal(bootId, await BootIdAsync(server, "home", "vm"));
        Assert.True(await CounterAsync(server, "home", "vm", counter) > before);
        Assert.Equal(data, await ChecksumAsync(server, "home", "vm", "data"));
        Assert.Equal(more, await ChecksumAsync(server, "home", "vm", "more"));
        Assert.Equal(0, (await server.ExecAsync("home", "peer", "ping", "-c", "2", "-W", "3", "10.65.0.10")).ExitCode);

        // A stopped machine is not checked out (400 machine); nothing was left anywhere.
        await server.PostTaskAsync(ApiPaths.Machine("home", "peer") + "/stop", TimeSpan.FromMinutes(2));
        await ExpectProblemAsync(server, "peer", "checkout", new CheckoutRequest("laptop1"), HttpStatusCode.BadRequest, "machine");
        await server.DeleteRoomAsync("home");
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
}
