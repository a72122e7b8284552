using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Migration;
using SkillVL.TestUtilities;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Checkout;

/// <summary>
/// A check-in cancelled while its catch-up copy runs (ADR 0021): the VM keeps running on the client, every changed
/// block stays marked, the server gets its retained copy back, and a check-in after that carries everything.
/// </summary>
public sealed class CheckinCancelTests(ITestOutputHelper output)
{
    private const long MiB = 1L << 20;

    [Fact]
    public async Task Checkin_CancelledDuringCatchUpCopy_VmStaysOnClient_BlocksStayMarked_RetainedCopyReturned_NextCheckinCarriesAll()
    {
        await using var pair = await CheckoutPair.StartAsync(output);
        var (server, client) = (pair.Server, pair.Client);
        var spec = server.NewVm("homebound");
        await server.StartAndWaitForAgentAsync(spec);
        await pair.CheckOutAsync(spec);
        var data = await client.WriteDataAsync(spec.Id, "data", 16);
        var bootId = await CheckoutPair.BootIdAsync(client, spec.Id);

        // 1 MiB/s: the 16 MiB catch-up copy takes seconds, so the cancel lands while it copies.
        var slow = CheckoutPair.Parameters(spec) with { MaxBandwidth = DataRate.FromMebibytesPerSecond(1) };
        var migrationId = ShortId.New();
        var incoming = await server.Node.Migrations.PrepareIncomingAsync(
            new IncomingMigrationRequest(migrationId, spec, CheckoutPair.Loopback, DiskTransfer.Incremental, 0, slow, Tls: true), CancellationToken.None);
        await client.Node.Migrations.StartDiskMirrorAsync(
            new OutgoingMigrationRequest(migrationId, spec.Id, incoming, DiskTransfer.Incremental, slow, Tls: true), CancellationToken.None);
        OutgoingMigrationStatus copying = null!;
        await Bounded.WaitUntilAsync(async () =>
        {
            copying = await client.Node.Migrations.GetOutgoingStatusAsync(spec.Id, CancellationToken.None);
            return copying is { State: OutgoingMigrationState.MirroringDisk, DiskBytesDone: > 0 };
        }, TimeSpan.FromSeconds(60), "the catch-up copy to start", TimeSpan.FromMilliseconds(100));
        output.WriteLine($"cancelling the check-in at {copying.DiskBytesDone}/{copying.DiskBytesTotal} bytes");
        Assert.InRange(copying.DiskBytesTotal, 16 * MiB, 24 * MiB);
        await client.Node.Migrations.CancelOutgoingAsync(spec.Id, CancellationToken.None);
        await server.Node.Migrations.AbortIncomingAsync(spec.Id, CancellationToken.None);

        Assert.Equal(VmPowerState.Running, (await client.ObserveAsync(spec.Id))!.State);
        Assert.Equal(bootId, await CheckoutPair.BootIdAsync(client, spec.Id));
        var tracking = await client.Node.Checkouts.GetTrackingAsync(spec.Id, CancellationToken.None);
        output.WriteLine($"after the cancel: {tracking}");
        Assert.True(tracking.DirtyBytes >= 16 * MiB, $"the cancelled check-in cleared marked blocks: {tracking.DirtyBytes}");
        Assert.False((await server.Node.Checkouts.GetRetainedAsync(spec.Id, CancellationToken.None))!.Lent);
        Assert.True(File.Exists(pair.RetainedDisk(spec.Id)));
        await server.AssertNothingLeftAsync();

        // The next check-in carries all of it.
        var completed = await pair.CheckInAsync(spec);
        output.WriteLine($"check-in: disk {completed.DiskBytesDone} B, tunnel {completed.TunnelBytes} B");
        Assert.True(completed.DiskBytesDone >= 16 * MiB);
        await server.WaitForAgentAsync(spec.Id);
        Assert.Equal(bootId, await CheckoutPair.BootIdAsync(server, spec.Id));
        Assert.Equal(data, await server.ChecksumAsync(spec.Id, "data"));
        await server.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await server.AssertNothingLeftAsync();
        await client.AssertNothingLeftAsync();
    }
}
