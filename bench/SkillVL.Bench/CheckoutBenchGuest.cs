using System.Diagnostics;
using System.Globalization;

namespace SkillVL.Bench;

/// <summary>
/// What <see cref="CheckoutBench"/> runs in its guests (busybox, through the API's exec): copies of the template's corpus
/// onto the disk (so the data compresses as a Linux system's does), a timed dd, ping, and a TCP stream over the room
/// network with busybox <c>nc</c> (the tiny guest has no iperf).
/// </summary>
public sealed class CheckoutBenchGuest(HttpClient http, string room, string machine)
{
    /// <summary>Copies pieces of the disk (MiB offsets; conv=fsync), the page cache dropped first so the source is read
    /// from the disk; the guest-clock MiB/s over all pieces.</summary>
    public async Task<double> CopyAsync(IReadOnlyList<(int From, int To, int MiB)> pieces)
    {
        var copies = string.Join("; ", pieces.Select(p => $"dd if=/dev/vda of=/dev/vda bs=1M skip={p.From} seek={p.To} count={p.MiB} conv=notrunc,fsync 2>/dev/null"));
        var text = await ExecAsync(
            "sync; echo 3 > /proc/sys/vm/drop_caches; t0=$(cut -d' ' -f1 /proc/uptime); " + copies
            + "; t1=$(cut -d' ' -f1 /proc/uptime); echo 3 > /proc/sys/vm/drop_caches; echo $t0 $t1");
        var (t0, t1) = Pair(text);
        return pieces.Sum(p => p.MiB) / Math.Max(t1 - t0, 0.01);
    }

    /// <summary>Fills a tmpfs file in RAM with pieces of the disk (the RAM's data).</summary>
    public Task FillRamAsync(IReadOnlyList<(int From, int To, int MiB)> pieces, int mib) => ExecAsync(
        $"mkdir -p /dev/shm && mount -t tmpfs -o size={mib + 16}m tmpfs /dev/shm && "
        + string.Join(" && ", pieces.Select(p => $"dd if=/dev/vda of=/dev/shm/ram bs=1M skip={p.From} seek={p.To} count={p.MiB} conv=notrunc 2>/dev/null")));

    /// <summary>Leaves the guest as a used Linux guest is: its free RAM holding page cache. The cache dropped, the disk read
    /// from <paramref name="fromMiB"/> (the base data and what the guest wrote after it) into the page cache until 24 MiB
    /// stay free; the guest's page cache then, KiB. What a move sends of this RAM is the platform's business: a check-in
    /// reclaims it (ADR 0032), a plain move, by default, does not.</summary>
    public async Task<long> UseRamAsync(int fromMiB)
    {
        var text = await ExecAsync(
            "sync; echo 3 > /proc/sys/vm/drop_caches; n=$(awk '/MemFree/ {print int($2/1024) - 24}' /proc/meminfo); "
            + $"dd if=/dev/vda of=/dev/null bs=1M skip={fromMiB} count=$n 2>/dev/null; "
            + "awk '/^(Buffers|Cached|Shmem):/ {s += ($1 == \"Shmem:\" ? -$2 : $2)} END {print s}' /proc/meminfo");
        return long.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The guest's ping to <paramref name="address"/>: average RTT in ms.</summary>
    public async Task<double> PingAsync(string address, int count)
    {
        // Inside a busybox shell, /bin/ping is iputils' (images/tiny/README.md): "rtt min/avg/max/mdev = a/b/c/d ms".
        var text = await ExecAsync($"/bin/ping -c {count} -i 0.2 -W 3 {address} | tail -1");
        var figures = text[(text.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim().Split('/');
        return double.Parse(figures[1], CultureInfo.InvariantCulture);
    }

    /// <summary>Starts, in the background, a receiver of <paramref name="mib"/> MiB on TCP port 5001 (busybox nc quits when
    /// its input ends, so its input is a pipe that stays open, not /dev/null: with /dev/null it quit after ≈ 50 KB) that notes the guest
    /// clock at the stream's first byte (a one-byte marker) and at its last, and the bytes it got (/tmp/rx.done).</summary>
    public Task ListenAsync(int mib) => ExecAsync(
        "rm -f /tmp/rx.done; (sleep 900 | nc -l -p 5001 | (dd bs=1 count=1 of=/dev/null 2>/dev/null; t0=$(cut -d' ' -f1 /proc/uptime); "
        + $"n=$(dd bs=64k count={mib * 16} iflag=fullblock 2>/dev/null | wc -c); t1=$(cut -d' ' -f1 /proc/uptime); echo \"$t0 $t1 $n\" > /tmp/rx.done)) "
        + "</dev/null >/dev/null 2>&1 &");

    /// <summary>Starts, in the background, a sender of the marker and <paramref name="mib"/> MiB of the disk from
    /// <paramref name="fromMiB"/> to <paramref name="address"/>:5001. Busybox nc quits at its input's end, dropping what
    /// it has not sent, so the input stays open a while after the data.</summary>
    public Task SendAsync(string address, int fromMiB, int mib) => ExecAsync(
        $"((printf x; dd if=/dev/vda bs=64k skip={fromMiB * 16} count={mib * 16} 2>/dev/null; sleep 60) | nc {address} 5001) </dev/null >/dev/null 2>&1 &");

    /// <summary>The receiver's goodput in Mbit/s once it has the whole stream.</summary>
    public async Task<double> ReceivedMbitAsync(int mib, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var text = await ExecAsync("cat /tmp/rx.done 2>/dev/null || true");
            if (text.Trim().Length > 0)
            {
                // The byte count too: a receiver whose nc failed would see its end at once and look fast.
                var (t0, t1) = Pair(text);
                var received = long.Parse(text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[2], CultureInfo.InvariantCulture);
                return received == (long)mib << 20
                    ? mib * 8 * 1.048576 / Math.Max(t1 - t0, 0.01)
                    : throw new InvalidOperationException($"{room}/{machine}: the stream brought {received} B, not {mib} MiB");
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"{room}/{machine}: the {mib} MiB stream did not arrive in {timeout.TotalSeconds:0} s");
    }

    /// <summary>Runs a script in the guest; its stdout. A non-zero exit throws with the script and its stderr.</summary>
    public Task<string> ExecAsync(string script) => ServerApi.ExecAsync(http, room, machine, script, CancellationToken.None);

    private static (double T0, double T1) Pair(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
