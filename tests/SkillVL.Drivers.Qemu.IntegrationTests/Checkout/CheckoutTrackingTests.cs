using System.Diagnostics;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Checkout;

/// <summary>
/// The client's write tracking across QEMU restarts (ADR 0021): a clean stop stores the persistent bitmap in the qcow2
/// and the next start has it back with its bits; a QEMU killed with SIGKILL leaves it marked in use, QEMU then reports it
/// inconsistent, and the next sync copies the whole overlay, after which the server's copy equals the client's disk.
/// </summary>
public sealed class CheckoutTrackingTests(ITestOutputHelper output)
{
    private const long MiB = 1L << 20;

    [Fact]
    public async Task Tracking_SurvivesCleanRestart_KilledQemuMakesItInconsistent_FullSyncRestoresEquality()
    {
        await using var pair = await CheckoutPair.StartAsync(output);
        var (server, client) = (pair.Server, pair.Client);
        var spec = server.NewVm("tracked");
        await server.StartAndWaitForAgentAsync(spec);

        // Tracking cannot start on a guest that already runs (it would miss what it wrote before): refused, nothing added.
        var running = await Assert.ThrowsAsync<DriverException>(() => server.Node.Checkouts.StartTrackingAsync(spec.Id, CancellationToken.None));
        Assert.Contains("running", running.Message, StringComparison.Ordinal);
        Assert.False((await server.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).Tracking);
        await pair.CheckOutAsync(spec);
        var data = await client.WriteDataAsync(spec.Id, "data", 16);

        // Clean stop: the bitmap is in the qcow2, not in use; its count is QEMU's and unknown while none runs.
        await client.Node.Vms.StopAsync(spec.Id, StopMode.Graceful, TimeSpan.FromSeconds(60), CancellationToken.None);
        var stopped = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"stopped: {stopped}");
        Assert.True(stopped is { Tracking: true, Inconsistent: false, FullSyncRequired: false, DirtyBytes: null });

        // Started again: the same bitmap with the same blocks marked (plus what the shutdown and the boot wrote).
        await client.StartAndWaitForAgentAsync(spec);
        var restarted = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"restarted cleanly: {restarted}");
        Assert.True(restarted is { Tracking: true, Inconsistent: false, FullSyncRequired: false });
        Assert.True(restarted.DirtyBytes >= 16 * MiB, $"the bitmap lost its bits across a clean restart: {restarted.DirtyBytes}");

        // SIGKILL: QEMU never stores the bitmap; the next QEMU finds it in use, i.e. inconsistent.
        var pid = client.QemuPid(spec.Id) ?? throw new InvalidOperationException("the client's QEMU has no pid");
        Process.GetProcessById(pid).Kill();
        await Bounded.WaitUntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(10), "the killed QEMU to exit");
        var killed = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"killed: {killed}");
        Assert.True(killed is { Tracking: true, Inconsistent: true, FullSyncRequired: true });
        await client.StartAndWaitForAgentAsync(spec);
        var afterCrash = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"started after the kill: {afterCrash}");
        Assert.True(afterCrash is { Tracking: true, Inconsistent: true, FullSyncRequired: true });
        var more = await client.WriteDataAsync(spec.Id, "more", 4);

        // The sync says it copied the whole overlay, and the copies are equal afterwards.
        await CheckoutPair.FreezeAsync(client, spec.Id, freeze: true);
        var overlay = (await client.Node.Images.InfoAsync(pair.ClientDisk(spec.Id), CancellationToken.None)).ActualSizeBytes;
        var export = await server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None);
        var result = await client.Node.Checkouts.SyncAsync(spec.Id, export, DataRate.FromMebibytesPerSecond(200), CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"full sync: {result.BytesCopied} B copied of a {overlay} B overlay, {result.TunnelBytes} B on the tunnel, full {result.FullCopy}");
        Assert.True(result.FullCopy);
        Assert.True(result.BytesCopied >= 20 * MiB, $"the full sync copied only {result.BytesCopied} B");
        await server.Node.Checkouts.CloseRetainedExportAsync(spec.Id, CancellationToken.None);
        var compared = await pair.CompareAsync(pair.ClientDisk(spec.Id), pair.RetainedDisk(spec.Id));
        Assert.True(compared.ExitCode == 0, compared.Output);
        await CheckoutPair.FreezeAsync(client, spec.Id, freeze: false);
        var after = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"after the full sync: {after}");
        Assert.True(after is { Tracking: true, Inconsistent: false, FullSyncRequired: false });
        Assert.Equal(data, await client.ChecksumAsync(spec.Id, "data"));
        Assert.Equal(more, await client.ChecksumAsync(spec.Id, "more"));

        // Bad calls: the running VM's disk is never frozen as a retained copy (two live copies); a released copy is gone.
        var refused = await Assert.ThrowsAsync<DriverException>(() => client.Node.Checkouts.RetainAsync(spec.Id, CancellationToken.None));
        Assert.Contains("running", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Core.Compute.VmPowerState.Running, (await client.ObserveAsync(spec.Id))!.State);
        await server.Node.Checkouts.ReleaseRetainedAsync(spec.Id, CancellationToken.None);
        await server.Node.Checkouts.ReleaseRetainedAsync(spec.Id, CancellationToken.None);
        Assert.Null(await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None));
        await Assert.ThrowsAsync<DriverException>(() => server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None));

        await client.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await server.AssertNothingLeftAsync();
        await client.AssertNothingLeftAsync();
    }
}
