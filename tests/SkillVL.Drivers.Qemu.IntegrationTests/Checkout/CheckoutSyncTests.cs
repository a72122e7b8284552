using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Checkout;

/// <summary>
/// Check-out, background sync and check-in of a real tiny VM between two QEMU nodes on this host (ADR 0021): the
/// server keeps the disk it had, the client tracks writes in a persistent bitmap and syncs only those into the server's
/// copy through the node tunnel, and the move back sends only what changed since the last sync plus RAM.
/// </summary>
public sealed class CheckoutSyncTests(ITestOutputHelper output)
{
    private const long MiB = 1L << 20;

    [Fact]
    public async Task Checkout_KeepsServerDisk_SyncCopiesOnlyWrittenBlocks_InterruptedSyncLosesNothing_CheckinSendsChangesPlusRam()
    {
        await using var pair = await CheckoutPair.StartAsync(output);
        var (server, client) = (pair.Server, pair.Client);
        var spec = server.NewVm("checkout");
        await server.StartAndWaitForAgentAsync(spec);
        var bootId = await CheckoutPair.BootIdAsync(server, spec.Id);
        var counter = await CheckoutPair.StartCounterAsync(server, spec.Id);

        // 1. Check-out: the VM runs on the client; the server keeps its disk as the retained copy and runs nothing.
        await pair.CheckOutAsync(spec);
        var retained = await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None);
        Assert.NotNull(retained);
        Assert.False(retained.Lent);
        Assert.True(File.Exists(pair.RetainedDisk(spec.Id)));
        await server.AssertNothingLeftAsync();
        Assert.Equal(bootId, await CheckoutPair.BootIdAsync(client, spec.Id));
        var tracking = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"after check-out: {tracking}");
        Assert.True(tracking is { Tracking: true, Inconsistent: false, FullSyncRequired: false });

        // 2. The guest writes 64 MiB; the bitmap marks at least that much.
        var synced = await client.WriteDataAsync(spec.Id, "synced", 64);
        var dirty = (await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).DirtyBytes!.Value;
        Assert.InRange(dirty, 64 * MiB, 80 * MiB);

        // 3. One sync with the guest's filesystem frozen: afterwards the server's copy equals the client's disk.
        await CheckoutPair.FreezeAsync(client, spec.Id, freeze: true);
        var export = await server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None);
        Assert.Equal(export, await server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None));
        Assert.DoesNotContain(export.Token, export.ToString(), StringComparison.Ordinal);
        var result = await client.Node.Checkouts.SyncAsync(spec.Id, export, DataRate.FromMebibytesPerSecond(200), CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"sync: {result.BytesCopied} B copied, {result.TunnelBytes} B on the tunnel, {result.Elapsed.TotalSeconds:0.0} s, full {result.FullCopy}");
        Assert.False(result.FullCopy);
        Assert.InRange(result.BytesCopied, 64 * MiB, 80 * MiB);
        Assert.InRange(result.TunnelBytes, 60 * MiB, 90 * MiB);
        Assert.Equal(0, (await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).DirtyBytes);
        await server.Node.Checkouts.CloseRetainedExportAsync(spec.Id, CancellationToken.None);
        var compared = await pair.CompareAsync(pair.ClientDisk(spec.Id), pair.RetainedDisk(spec.Id));
        Assert.True(compared.ExitCode == 0, compared.Output);
        await CheckoutPair.FreezeAsync(client, spec.Id, freeze: false);

        // 4. A sync cancelled midway (4 MiB/s, cancelled after 2 s) leaves every block marked; the next one completes.
        var second = await client.WriteDataAsync(spec.Id, "second", 32);
        export = await server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                client.Node.Checkouts.SyncAsync(spec.Id, export, DataRate.FromMebibytesPerSecond(4), cancel.Token).WaitAsync(TimeSpan.FromMinutes(1)));
        }

        var afterCancel = (await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).DirtyBytes!.Value;
        output.WriteLine($"dirty after the cancelled sync: {afterCancel}");
        Assert.True(afterCancel >= 32 * MiB, $"the cancelled sync cleared blocks: {afterCancel} dirty");

        // The link dies under a sync (the server's export closes): the sync fails, and again nothing is lost.
        var failing = client.Node.Checkouts.SyncAsync(spec.Id, export, DataRate.FromMebibytesPerSecond(4), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await server.Node.Checkouts.CloseRetainedExportAsync(spec.Id, CancellationToken.None);
        var failed = await Assert.ThrowsAsync<DriverException>(() => failing.WaitAsync(TimeSpan.FromMinutes(1)));
        output.WriteLine($"sync with the export closed: {failed.Message}");
        Assert.True((await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).DirtyBytes >= 32 * MiB);

        export = await server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None);
        var resumed = await client.Node.Checkouts.SyncAsync(spec.Id, export, DataRate.FromMebibytesPerSecond(200), CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(3));
        output.WriteLine($"sync after the interruptions: {resumed.BytesCopied} B");
        Assert.InRange(resumed.BytesCopied, 32 * MiB, 48 * MiB);

        // A check-in aborted on the server gives the retained copy back (it is not deleted with the half-made VM); a check-in
        // of a VM the node keeps no copy of is refused with nothing made.
        var parameters = CheckoutPair.Parameters(spec);
        await server.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(ShortId.New(), spec, CheckoutPair.Loopback, DiskTransfer.Incremental, 0, parameters, Tls: true), CancellationToken.None);
        Assert.True((await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None))!.Lent);
        await Assert.ThrowsAsync<DriverException>(() => server.Node.Checkouts.ExportRetainedAsync(spec.Id, CheckoutPair.Loopback, CancellationToken.None));
        await server.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);
        Assert.False((await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None))!.Lent);
        Assert.True(File.Exists(pair.RetainedDisk(spec.Id)));
        await server.AssertNothingLeftAsync();
        var stranger = server.NewVm("never-checked-out");
        var refused = await Assert.ThrowsAsync<DriverException>(() => server.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(ShortId.New(), stranger, CheckoutPair.Loopback, DiskTransfer.Incremental, 0, parameters, Tls: true), CancellationToken.None));
        Assert.Contains("no retained copy", refused.Message, StringComparison.Ordinal);
        await server.AssertNothingLeftAsync();

        // 5. Check-in: 8 MiB written after the last sync; the move back carries those and RAM, not the overlay.
        var late = await client.WriteDataAsync(spec.Id, "late", 8);
        var changed = (await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None)).DirtyBytes!.Value;
        var overlay = (await client.Node.Images.InfoAsync(pair.ClientDisk(spec.Id), CancellationToken.None)).ActualSizeBytes;
        var completed = await pair.CheckInAsync(spec);
        var ram = completed.RamBytesTotalTransferred;
        output.WriteLine(
            $"check-in: {completed.TunnelBytes} B on the tunnel; changed since the last sync {changed} B, RAM {ram} B, overlay {overlay} B; disk copied {completed.DiskBytesDone} B, downtime {completed.Downtime?.TotalMilliseconds} ms");
        Assert.True(completed.TunnelBytes <= 1.2 * (changed + ram), $"check-in carried {completed.TunnelBytes} B for {changed} B changed + {ram} B RAM");
        Assert.True(completed.DiskBytesDone < overlay / 4, $"check-in copied {completed.DiskBytesDone} B of a {overlay} B overlay");

        // The same guest runs on the server, from its retained copy, with all three data sets.
        await server.WaitForAgentAsync(spec.Id);
        Assert.Equal(bootId, await CheckoutPair.BootIdAsync(server, spec.Id));
        var count = await CheckoutPair.CounterAsync(server, spec.Id, counter);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(await CheckoutPair.CounterAsync(server, spec.Id, counter) > count, "the guest's counter stopped after the check-in");
        Assert.Equal(synced, await server.ChecksumAsync(spec.Id, "synced"));
        Assert.Equal(second, await server.ChecksumAsync(spec.Id, "second"));
        Assert.Equal(late, await server.ChecksumAsync(spec.Id, "late"));
        Assert.Null(await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None));
        Assert.False(Directory.Exists(Path.GetDirectoryName(pair.RetainedDisk(spec.Id))));

        await server.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await server.AssertNothingLeftAsync();
        await client.AssertNothingLeftAsync();
    }
}
