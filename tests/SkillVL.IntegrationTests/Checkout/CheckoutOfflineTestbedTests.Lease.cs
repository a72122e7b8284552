using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Api.Identity;
using SkillVL.Core.Api.Migrations;
using SkillVL.Drivers.Qemu;
using SkillVL.Drivers.Qemu.Checkout;
using SkillVL.IntegrationTests.Auth;
using SkillVL.TestUtilities;
using Xunit;
using static SkillVL.IntegrationTests.Nodes.MigrationTestbedTests;

namespace SkillVL.IntegrationTests.Checkout;

/// <summary>
/// Issue 12's lost laptop (ADR 0025), on the same testbed and during the same two-minute cut as the offline work: it
/// was a test of its own (LeaseTestbedTests, ≈ 115 s in CI, most of it a second Server, testbed and check-out) until it
/// was folded in here. The machine <c>sam/lost</c> is a course instance whose course sets a 40 s check-out lease, while
/// <c>home</c> keeps the platform's (7 days) — so the lease that runs out is the course's, and the offline work on
/// <c>home</c> goes on through the same cut. The guest writes A, a sync takes it into the retained copy, the guest
/// writes B; the link is cut; the lease runs out — the laptop pauses its VM and refuses to start it, the Server shows
/// the lease expired; revive brings the machine up on node1 from the retained copy (A there, B not); the link returns
/// and the laptop's copy is fenced: its QEMU gone, its disk kept in <c>&lt;data&gt;/fenced</c> (0600) with B's writes
/// counted, listed on the machine; one QEMU for the machine; discarded, the copy is gone from the laptop.
/// </summary>
public sealed partial class CheckoutOfflineTestbedTests
{
    private const string Lost = "sam/lost";
    private const string LeaseCourse = "roaming";

    private MachineStatus? lostVm;
    private string? lostA;
    private string? lostBootId;

    /// <summary>A course with a 40 s check-out lease that allows client nodes, and sam's instance of its room on node1.</summary>
    private static async Task ApplyLeaseCourseAsync(ServerHarness server)
    {
        using var sam = await Users.AddAndLoginAsync(server, "sam", PlatformRoles.Student);
        await Users.ReadAsync<CourseInfo>(
            await server.Client.PostAsJsonAsync(ApiPaths.Courses, new CreateCourseRequest(LeaseCourse, AllowClientNodes: true), ServerHarness.Json), HttpStatusCode.Created);
        var course = await Users.ReadAsync<CourseInfo>(
            await server.Client.PatchAsJsonAsync(ApiPaths.Course(LeaseCourse), new UpdateCourseRequest(CheckoutLease: "40s"), ServerHarness.Json), HttpStatusCode.OK);
        Assert.Equal("40s", course.CheckoutLease);
        await Users.ReadAsync<List<StudentInfo>>(
            await server.Client.PostAsJsonAsync(ApiPaths.Course(LeaseCourse) + "/students", new EnrolRequest(["sam"]), ServerHarness.Json), HttpStatusCode.OK);
        const string room = """
            apiVersion: skillvl.io/v1
            kind: Room
            metadata: { name: lost }
            networks:
              - { name: lan, cidr: 10.66.0.0/24 }
            machines:
              - { name: vm, template: tiny, node: node1, nics: [{ network: lan, ip: 10.66.0.10 }] }
            """;
        using var yaml = new StringContent(room, Encoding.UTF8, "application/yaml");
        await Users.ReadAsync<CourseVersionInfo>(await server.Client.PostAsync(ApiPaths.Course(LeaseCourse) + "/versions", yaml), HttpStatusCode.Created);
        await LostUntilAsync(server, s => s.State == "running" && s.GuestReady, "sam's instance running on node1", TimeSpan.FromMinutes(4));
    }

    /// <summary>Before the cut: revive refusals, the check-out under the course's lease, A synced, B written after.</summary>
    private async Task LeaseBeforeCutAsync(ServerHarness server)
    {
        lostVm = await server.GetMachineAsync(Lost, "vm");
        Assert.Equal("node1", lostVm.Node);

        // Not checked out: nothing to revive (409).
        await ReviveExpectingAsync(server, HttpStatusCode.Conflict, "not checked out");

        var migration = await Nodes.MigrationTestbedTests.UntilMovedAsync(server, async () =>
        {
            using var response = await server.Client.PostAsJsonAsync(ApiPaths.Machine(Lost, "vm") + "/checkout", new CheckoutRequest("laptop1"), ServerHarness.Json);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"checkout {Lost}: {(int)response.StatusCode} {body}");
            return await FollowAsync(server, JsonSerializer.Deserialize<MigrationInfo>(body, ServerHarness.Json)!);
        }, output);
        output.WriteLine($"check-out {Lost}: {migration.State} in {migration.Metrics.TotalTimeMs:0} ms {migration.Error}");
        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error);

        var status = await LostUntilAsync(server, s => s.Checkout?.LeaseExpiresAt is not null, "the first lease renewal");
        output.WriteLine($"{Lost} checked out, epoch {status.Checkout!.Epoch}, lease until {status.Checkout.LeaseExpiresAt:O}");
        Assert.Equal(1, status.Checkout.Epoch);

        // The course's lease, not the platform's 7 days.
        Assert.InRange(status.Checkout.LeaseExpiresAt!.Value - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(60));

        // The lease is valid: revive is 409 naming when it expires; nothing changed.
        await ReviveExpectingAsync(server, HttpStatusCode.Conflict, "valid until");
        Assert.Equal("laptop1", (await server.GetMachineAsync(Lost, "vm")).Node);

        // A is synced into the retained copy; B is written after the sync.
        lostA = await WriteDataAsync(server, Lost, "vm", "a", 4);
        using (var sync = await server.Client.PostAsync(ApiPaths.Machine(Lost, "vm") + "/sync", null))
        {
            Assert.True(sync.StatusCode == HttpStatusCode.OK, await sync.Content.ReadAsStringAsync());
        }

        var b = await WriteDataAsync(server, Lost, "vm", "b", 4);
        output.WriteLine($"{Lost}: A {lostA}, B {b}");
    }

    /// <summary>During the cut: the lease runs out, the laptop pauses the VM and refuses to start it; revive on node1.</summary>
    private async Task LeaseDuringCutAsync(ServerHarness server, string nodes)
    {
        var laptop = LaptopOptions(nodes);
        var laptopVm = VmPaths.For(laptop, lostVm!.Id);
        await Bounded.WaitUntilAsync(
            () => Task.FromResult(File.Exists(LeaseFiles.PausedMarker(laptopVm))), TimeSpan.FromSeconds(90), "the laptop pausing its VM", TimeSpan.FromSeconds(1));
        var refusal = LeaseFiles.StartRefusal(laptop, laptopVm, DateTimeOffset.UtcNow);
        output.WriteLine($"local start of {Lost} on the laptop: {refusal}");
        Assert.Contains("lease expired", refusal, StringComparison.Ordinal);
        await LostUntilAsync(server, s => s.Checkout?.LeaseExpiresAt < DateTimeOffset.UtcNow, "the Server's lease running out");

        // Revive on node1 from the retained copy: A is there, B is not (it was never synced).
        var revived = await ReviveExpectingAsync(server, HttpStatusCode.OK, null);
        Assert.Equal("node1", revived!.Node);
        Assert.Null(revived.Checkout);
        var fenced = Assert.Single(revived.FencedCopies!);
        Assert.Equal(("laptop1", 1, (DateTimeOffset?)null), (fenced.Node, fenced.Epoch, fenced.FencedAt));
        await LostUntilAsync(server, s => s.State == "running" && s.GuestReady, "the revived VM running on node1", TimeSpan.FromMinutes(4));
        Assert.Equal(lostA, await ChecksumAsync(server, Lost, "vm", "a"));
        Assert.NotEqual(0, (await server.ExecAsync(Lost, "vm", "test", "-e", "/root/b")).ExitCode);
        lostBootId = await BootIdAsync(server, Lost, "vm");
    }

    /// <summary>The link is back: the laptop's copy is fenced — stopped, set aside and kept, listed — then discarded.</summary>
    private async Task LeaseAfterCutAsync(ServerHarness server, string nodes)
    {
        var laptop = LaptopOptions(nodes);
        var laptopVm = VmPaths.For(laptop, lostVm!.Id);
        var status = await LostUntilAsync(server, s => s.FencedCopies?.SingleOrDefault()?.FencedAt is not null, "the laptop's copy fenced", TimeSpan.FromMinutes(2));
        var fenced = status.FencedCopies!.Single();
        output.WriteLine($"fenced: {fenced.Path}, {fenced.SizeBytes} B, {fenced.BytesSinceSync} B since the last sync");
        Assert.True(File.Exists(fenced.Path), $"no fenced disk at {fenced.Path}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fenced.Path!));
        Assert.StartsWith(Path.Combine(laptop.DataDirectory, "fenced"), fenced.Path, StringComparison.Ordinal);
        Assert.InRange(fenced.BytesSinceSync ?? -1, 4L << 20, 64L << 20); // B's 4 MiB at least
        Assert.False(Directory.Exists(laptopVm.DataDirectory), "the fenced VM is still in the laptop's VM directory");
        Assert.Empty(ProcessReaper.ProcessesMentioning(laptopVm.RuntimeDirectory));
        Assert.Single(ProcessReaper.ProcessesMentioning(Path.Combine(nodes, "node1", "run", "vms", lostVm.Id)));
        Assert.Contains("fenced", LeaseFiles.StartRefusal(laptop, laptopVm, DateTimeOffset.UtcNow), StringComparison.Ordinal);

        // The revived VM ran on through all that.
        Assert.Equal(("node1", lostBootId), ((await server.GetMachineAsync(Lost, "vm")).Node, await BootIdAsync(server, Lost, "vm")));

        // Its disk comes back through the API, over the laptop's own connection (ADR 0044): the same bytes, a sound qcow2.
        await DownloadFencedAsync(server, fenced.Path!);

        // Nobody needs the laptop's copy: discarding it deletes the disk and its record on the laptop, and the row.
        using (var discard = await server.Client.DeleteAsync(ApiPaths.Machine(Lost, "vm") + "/fenced/1"))
        {
            Assert.True(discard.StatusCode == HttpStatusCode.NoContent, $"discard: {(int)discard.StatusCode} {await discard.Content.ReadAsStringAsync()}");
        }

        Assert.False(File.Exists(fenced.Path) || File.Exists(Path.ChangeExtension(fenced.Path!, ".json")), $"{fenced.Path} is still on the laptop");
        Assert.Null((await server.GetMachineAsync(Lost, "vm")).FencedCopies);
    }

    /// <summary>GET .../fenced/1/disk into a file: its length and sha256 are the laptop's file's, and qemu-img check passes.</summary>
    private async Task DownloadFencedAsync(ServerHarness server, string laptopFile)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var saved = Path.Combine(Path.GetTempPath(), $"svl-fenced-{Guid.NewGuid():N}.qcow2");
        try
        {
            using (var response = await server.Client.GetAsync(ApiPaths.Machine(Lost, "vm") + "/fenced/1/disk", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"download: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(new FileInfo(laptopFile).Length, response.Content.Headers.ContentLength);
                Assert.Equal("lost-vm-e1.qcow2", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
                await using var file = File.Create(saved);
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(file);
            }

            var laptopHash = await Sha256Async(laptopFile);
            var savedHash = await Sha256Async(saved);
            output.WriteLine($"downloaded the fenced copy: {new FileInfo(saved).Length} B in {clock.Elapsed.TotalSeconds:F1} s, sha256 {savedHash}");
            Assert.Equal(laptopHash, savedHash);
            var check = await HostTools.RunAsync("qemu-img", ["check", "-f", "qcow2", saved], TimeSpan.FromMinutes(1));
            Assert.True(check.ExitCode == 0, $"qemu-img check: {check.Stdout} {check.Stderr}");
        }
        finally
        {
            File.Delete(saved);
        }
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file));
    }

    private static QemuDriverOptions LaptopOptions(string nodes) =>
        new() { DataDirectory = Path.Combine(nodes, "laptop1", "data"), RuntimeDirectory = Path.Combine(nodes, "laptop1", "run") };

    private static async Task<MachineStatus?> ReviveExpectingAsync(ServerHarness server, HttpStatusCode status, string? detail)
    {
        using var response = await server.Client.PostAsJsonAsync(ApiPaths.Machine(Lost, "vm") + "/revive", new ReviveRequest(false), ServerHarness.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"revive: {(int)response.StatusCode} {body}");
        if (detail is not null)
        {
            Assert.Contains(detail, body, StringComparison.Ordinal);
        }

        return status == HttpStatusCode.OK ? JsonSerializer.Deserialize<MachineStatus>(body, ServerHarness.Json) : null;
    }

    private static async Task<MachineStatus> LostUntilAsync(ServerHarness server, Func<MachineStatus, bool> condition, string what, TimeSpan? timeout = null)
    {
        MachineStatus status = null!;
        await Bounded.WaitUntilAsync(async () =>
        {
            status = await server.GetMachineAsync(Lost, "vm");
            return condition(status);
        }, timeout ?? TimeSpan.FromSeconds(90), what, TimeSpan.FromMilliseconds(500));
        return status;
    }
}
