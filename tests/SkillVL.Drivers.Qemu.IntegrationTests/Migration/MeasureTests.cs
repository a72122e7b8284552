using System.Globalization;
using SkillVL.Core.Compute;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>
/// <see cref="IVmMigrationDriver.MeasureAsync"/> on a real tiny guest (TCG, 128 MiB): QEMU's dirty-rate estimate for an
/// idle guest and for one that rewrites memory at a known rate, and the overlay's size before and after the guest wrote
/// to its disk, running and stopped.
/// </summary>
public sealed class MeasureTests(ITestOutputHelper output)
{
    /// <summary>What the writer rewrites each second of the guest's clock (MiB), inside a region larger than that, so a
    /// 1 s sample sees that many distinct pages change.</summary>
    private const int WriterMiBPerSecond = 12;

    [Fact]
    public async Task Measure_IdleGuestLow_BusyGuestNearWhatItWrites_OverlayGrowsWithDiskWrites_StoppedVmHasNoDirtyRate()
    {
        await using var host = await QemuTestHost.StartAsync(output);
        var spec = host.NewVm("measured");
        await host.StartAndWaitForAgentAsync(spec);
        var migrations = host.Node.Migrations;

        var idle = await migrations.MeasureAsync(spec.Id, TimeSpan.FromSeconds(1), CancellationToken.None);
        output.WriteLine($"idle: {idle.DirtyRate.MebibytesPerSecond:0.##} MiB/s, overlay {idle.OverlayBytes} B, sample {idle.Sample}");
        Assert.Equal(TimeSpan.FromSeconds(1), idle.Sample);
        Assert.True(idle.OverlayBytes > 0, "a booted guest's overlay holds something");

        // A background writer copying WriterMiBPerSecond MiB of random data per second over a 32 MiB tmpfs file; its
        // progress ("centiseconds MiB-so-far") tells what it achieved on a busy 2-core host.
        Assert.Equal(0, (await host.ExecAsync(spec.Id, "sh", "-c", Writer)).ExitCode);
        var before = await ProgressAsync(host, spec.Id, afterMiB: WriterMiBPerSecond * 2);
        var busy = await migrations.MeasureAsync(spec.Id, TimeSpan.FromSeconds(2), CancellationToken.None);
        var after = await ProgressAsync(host, spec.Id, afterMiB: 0);
        var wrote = (after.MiB - before.MiB) / (after.Seconds - before.Seconds);
        output.WriteLine($"busy: {busy.DirtyRate.MebibytesPerSecond:0.##} MiB/s over {busy.Sample.TotalSeconds} s; the writer wrote {wrote:0.#} MiB/s meanwhile");
        Assert.True(wrote > 2, $"the writer only managed {wrote:0.#} MiB/s");
        Assert.True(busy.DirtyRate.MebibytesPerSecond >= idle.DirtyRate.MebibytesPerSecond + 2,
            $"busy {busy.DirtyRate.MebibytesPerSecond} MiB/s is not clearly above idle {idle.DirtyRate.MebibytesPerSecond} MiB/s");
        // page-sampling estimates from a random sample of pages: a factor of 3 either way is still telling.
        Assert.InRange(busy.DirtyRate.MebibytesPerSecond, wrote / 3, wrote * 3);
        await host.ExecAsync(spec.Id, "sh", "-c", "kill $(cat /dev/shm/writer.pid); rm -f /dev/shm/dirty /dev/shm/src");

        // 16 MiB written to the disk and synced: the overlay grows by about that.
        Assert.Equal(0, (await host.ExecAsync(spec.Id, "sh", "-c", "dd if=/dev/urandom of=/root/data bs=1M count=16 2>/dev/null && sync")).ExitCode);
        var written = await migrations.MeasureAsync(spec.Id, TimeSpan.FromSeconds(1), CancellationToken.None);
        var grown = written.OverlayBytes - idle.OverlayBytes;
        output.WriteLine($"after writing 16 MiB: overlay {written.OverlayBytes} B (+{grown} B)");
        Assert.InRange(grown, 15L << 20, 24L << 20);

        // Stopped: no QEMU to ask, none started; the overlay as the file holds it.
        await host.Node.Vms.StopAsync(spec.Id, StopMode.Graceful, TimeSpan.FromSeconds(60), CancellationToken.None);
        var stopped = await migrations.MeasureAsync(spec.Id, TimeSpan.FromSeconds(1), CancellationToken.None);
        output.WriteLine($"stopped: {stopped.DirtyRate.MebibytesPerSecond} MiB/s, overlay {stopped.OverlayBytes} B, sample {stopped.Sample}");
        Assert.Equal(0, stopped.DirtyRate.BytesPerSecond);
        Assert.Equal(TimeSpan.Zero, stopped.Sample);
        Assert.True(stopped.OverlayBytes >= written.OverlayBytes, $"stopped overlay {stopped.OverlayBytes} B < {written.OverlayBytes} B while running");
        Assert.Equal(VmPowerState.Stopped, (await host.ObserveAsync(spec.Id))!.State);

        await host.Node.Vms.DeleteAsync(spec.Id, CancellationToken.None);
        await host.AssertNothingLeftAsync();
    }

    /// <summary>
    /// Copies WriterMiBPerSecond MiB per guest second from a 7 MiB random file over a 32 MiB tmpfs file, 1 MiB at a time:
    /// the source offset runs modulo 7 and the target modulo 32 (no common factor), so a target MiB gets other content
    /// on each pass — page-sampling counts pages whose content changed, not pages written.
    /// </summary>
    private static readonly string Writer = $$"""
        (dd if=/dev/urandom of=/dev/shm/src bs=1M count=7 2>/dev/null
        dd if=/dev/zero of=/dev/shm/dirty bs=1M count=32 2>/dev/null
        cs() { awk '{printf "%d", $1 * 100}' /proc/uptime; }
        t0=$(cs); n=0; k=0
        while :; do
          i=0
          while [ $i -lt {{WriterMiBPerSecond}} ]; do
            dd if=/dev/shm/src of=/dev/shm/dirty bs=1M skip=$((n % 7)) seek=$((n % 32)) count=1 conv=notrunc 2>/dev/null
            n=$((n + 1)); i=$((i + 1))
          done
          k=$((k + 1)); now=$(cs); echo "$now $n" > /dev/shm/progress
          w=$((t0 + k * 100 - now)); [ $w -gt 0 ] && usleep $((w * 10000))
        done) </dev/null >/dev/null 2>&1 &
        echo $! > /dev/shm/writer.pid
        """;

    /// <summary>The writer's (guest seconds, MiB written), once it wrote at least <paramref name="afterMiB"/>.</summary>
    private static async Task<(double Seconds, double MiB)> ProgressAsync(QemuTestHost host, string vmId, int afterMiB)
    {
        var result = await host.ExecAsync(vmId, "sh", "-c",
            $"i=0; while [ $i -lt 200 ]; do [ -s /dev/shm/progress ] && [ $(cut -d' ' -f2 /dev/shm/progress) -ge {afterMiB} ] && break; usleep 100000; i=$((i + 1)); done; cat /dev/shm/progress");
        var parts = result.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture) / 100, double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
