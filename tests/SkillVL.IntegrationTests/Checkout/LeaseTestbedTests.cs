using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;
using SkillVL.Drivers.Qemu;
using SkillVL.Drivers.Qemu.Checkout;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// Issue 12's lost laptop on a real testbed (ADR 0025): a client behind a NAT of its own, a check-out with a 40 s lease.
/// The guest writes A, a sync takes it into the retained copy, the guest writes B; the link is cut; the lease runs out —
/// the laptop pauses its VM and refuses to start it, the Server shows the lease expired; revive brings the machine up on
/// node1 from the retained copy (A there, B not); the link returns and the laptop's copy is fenced: its QEMU gone, its
/// disk kept in <c>&lt;data&gt;/fenced</c> (0600) with B's writes counted, listed on the machine; one QEMU for the machine;
/// discarded, the copy is gone from the laptop.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class LeaseTestbedTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LostLaptop_LeaseExpires_ReviveFromTheRetainedCopy_LaptopReturns_ItsCopyIsFencedAndKept()
    {
        await using var server = await ServerHarness.StartAsync(o =>
        {
            o.Checkout.SyncInterval = TimeSpan.FromHours(1);
            o.Checkout.Lease = TimeSpan.FromSeconds(40);
        });
        await using var bed = await Bed.UpAsync(server, output, nodes: 1, client: "laptop1", bandwidth: "50mbit", rtt: "40ms", behindNat: true);
        await server.ApplyAsync("""
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: home }
            networks:
              - { name: lan, cidr: 10.66.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.66.0.10 }] }
            """);
        var nodes = Path.Combine(bed.State, "nodes");
        var vm = await server.GetMachineAsync("home", "vm");

        // Not checked out: nothing to revive (409).
        await ReviveExpectingAsync(server, lost: false, HttpStatusCode.Conflict, "not checked out");

        await CheckoutAsync(server);
        var status = await UntilAsync(server, s => s.Checkout?.LeaseExpiresAt is not null, "the first lease renewal");
        output.WriteLine($"checked out, epoch {status.Checkout!.Epoch}, lease until {status.Checkout.LeaseExpiresAt:O}");
        Assert.Equal(1, status.Checkout.Epoch);

        // The lease is valid: revive without lost is 409 naming when it expires; nothing changed.
        await ReviveExpectingAsync(server, lost: false, HttpStatusCode.Conflict, "valid until");
        Assert.Equal("laptop1", (await server.GetMachineAsync("home", "vm")).Node);

        // A is synced into the retained copy; B is written after the sync.
        var a = await WriteDataAsync(server, "home", "vm", "a", 4);
        using (var sync = await server.Client.PostAsync(ApiPaths.Machine("home", "vm") + "/sync", null))
        {
            Assert.True(sync.StatusCode == HttpStatusCode.OK, await sync.Content.ReadAsStringAsync());
        }

        var b = await WriteDataAsync(server, "home", "vm", "b", 4);
        output.WriteLine($"A {a}, B {b}");

        // The laptop goes away. Its lease runs out: it pauses the VM and refuses to start it; the Server sees it expired.
        await bed.SetClientLinkAsync(up: false);
        var laptop = new QemuDriverOptions { DataDirectory = Path.Combine(nodes, "laptop1", "data"), RuntimeDirectory = Path.Combine(nodes, "laptop1", "run") };
        var laptopVm = VmPaths.For(laptop, vm.Id);
        await Bounded.WaitUntilAsync(
            () => Task.FromResult(File.Exists(LeaseFiles.PausedMarker(laptopVm))), TimeSpan.FromSeconds(90), "the laptop pausing its VM", TimeSpan.FromSeconds(1));
        var refusal = LeaseFiles.StartRefusal(laptop, laptopVm, DateTimeOffset.UtcNow);
        output.WriteLine($"local start on the laptop: {refusal}");
        Assert.Contains("lease expired", refusal, StringComparison.Ordinal);
        status = await UntilAsync(server, s => s.Checkout?.LeaseExpiresAt < DateTimeOffset.UtcNow, "the Server's lease running out");

        // Revive on node1 from the retained copy: A is there, B is not (it was never synced).
        var revived = await ReviveExpectingAsync(server, lost: false, HttpStatusCode.OK, null);
        Assert.Equal("node1", revived!.Node);
        Assert.Null(revived.Checkout);
        var fenced = Assert.Single(revived.FencedCopies!);
        Assert.Equal(("laptop1", 1, (DateTimeOffset?)null), (fenced.Node, fenced.Epoch, fenced.FencedAt));
        await UntilAsync(server, s => s.State == "running" && s.GuestReady, "the revived VM running on node1", TimeSpan.FromMinutes(4));
        Assert.Equal(a, await ChecksumAsync(server, "home", "vm", "a"));
        Assert.NotEqual(0, (await server.ExecAsync("home", "vm", "test", "-e", "/root/b")).ExitCode);
        var bootId = await BootIdAsync(server, "home", "vm");

        // The laptop returns: its copy is fenced — stopped, the disk set aside and kept, listed on the machine.
        await bed.SetClientLinkAsync(up: true);
        status = await UntilAsync(server, s => s.FencedCopies?.SingleOrDefault()?.FencedAt is not null, "the laptop's copy fenced", TimeSpan.FromMinutes(2));
        fenced = status.FencedCopies!.Single();
        output.WriteLine($"fenced: {fenced.Path}, {fenced.SizeBytes} B, {fenced.BytesSinceSync} B since the last sync");
        Assert.True(File.Exists(fenced.Path), $"no fenced disk at {fenced.Path}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fenced.Path!));
        Assert.StartsWith(Path.Combine(laptop.DataDirectory, "fenced"), fenced.Path, StringComparison.Ordinal);
        Assert.InRange(fenced.BytesSinceSync ?? -1, 4L << 20, 64L << 20); // B's 4 MiB at least
        Assert.False(Directory.Exists(laptopVm.DataDirectory), "the fenced VM is still in the laptop's VM directory");
        Assert.Empty(ProcessReaper.ProcessesMentioning(laptopVm.RuntimeDirectory));
        Assert.Single(ProcessReaper.ProcessesMentioning(Path.Combine(nodes, "node1", "run", "vms", vm.Id)));
        Assert.Contains("fenced", LeaseFiles.StartRefusal(laptop, laptopVm, DateTimeOffset.UtcNow), StringComparison.Ordinal);

        // The revived VM ran on through all that.
        Assert.Equal(("node1", bootId), ((await server.GetMachineAsync("home", "vm")).Node, await BootIdAsync(server, "home", "vm")));

        // Nobody needs the laptop's copy: discarding it deletes the disk and its record on the laptop, and the row.
        using (var discard = await server.Client.DeleteAsync(ApiPaths.Machine("home", "vm") + "/fenced/1"))
        {
            Assert.True(discard.StatusCode == HttpStatusCode.NoContent, $"discard: {(int)discard.StatusCode} {await discard.Content.ReadAsStringAsync()}");
        }

        Assert.False(File.Exists(fenced.Path) || File.Exists(Path.ChangeExtension(fenced.Path!, ".json")), $"{fenced.Path} is still on the laptop");
        Assert.Null((await server.GetMachineAsync("home", "vm")).FencedCopies);
        await server.DeleteRoomAsync("home");
    }

    /// <summary>Checks the machine out to laptop1, retried while a move is taken back (QEMU 7.2 under TCG, ADR 0012).</summary>
    private async Task CheckoutAsync(ServerHarness server)
    {
        var migration = await UntilMovedAsync(server, async () =>
        {
            using var response = await server.Client.PostAsJsonAsync(ApiPaths.Machine("home", "vm") + "/checkout", new CheckoutRequest("laptop1"), ServerHarness.Json);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"checkout: {(int)response.StatusCode} {body}");
            return await FollowAsync(server, JsonSerializer.Deserialize<MigrationInfo>(body, ServerHarness.Json)!);
        }, output);
        output.WriteLine($"check-out: {migration.State} in {migration.Metrics.TotalTimeMs:0} ms {migration.Error}");
        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);
    }

    private static async Task<MachineStatus?> ReviveExpectingAsync(ServerHarness server, bool lost, HttpStatusCode status, string? detail)
    {
        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Machine("home", "vm") + "/revive", new ReviveRequest(lost), ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"revive: {(int)response.StatusCode} {body}");
        if (detail is not null)
        {
            Assert.Contains(detail, body, StringComparison.Ordinal);
        }

        return status == HttpStatusCode.OK ? JsonSerializer.Deserialize<MachineStatus>(body, ServerHarness.Json) : null;
    }

    private static async Task<MachineStatus> UntilAsync(ServerHarness server, Func<MachineStatus, bool> condition, string what, TimeSpan? timeout = null)
    {
        MachineStatus status = null!;
        await Bounded.WaitUntilAsync(async () =>
        {
            status = await server.GetMachineAsync("home", "vm");
            return condition(status);
        }, timeout ?? TimeSpan.FromSeconds(90), what, TimeSpan.FromMilliseconds(500));
        return status;
    }
}
