using System.Diagnostics;
using System.Globalization;
using SkillVL.Core.Compute;

namespace SkillVL.Server.Migrations;

/// <summary>
/// Before the RAM phase of a live move, asks the guest through its agent to give back what need not cross the link
/// (ADR 0032): it writes back dirty pages, drops its clean page cache (<c>drop_caches</c>), then zeroes its free RAM by
/// filling a tmpfs of its own with zeros and removing it. QEMU 7.2 sends a zero page as a marker of a few bytes, but a
/// free page that still holds what it last held (a dropped cache page, a freed buffer) goes whole: dropping the cache
/// alone frees pages without making them cheaper to send. The guest keeps a margin free (16 MiB, at least four times
/// its <c>min_free_kbytes</c>), so the fill never pushes it towards its OOM killer; the fill is a tmpfs capped at that
/// size. Best effort and bounded: a guest without an agent, without <c>/bin/sh</c>, or too slow, still moves as before,
/// and the migration's log says why.
/// </summary>
public static class GuestRamReclaim
{
    /// <summary>Where the fill's tmpfs is mounted in the guest (a fresh directory; a leftover of a killed run is removed first).</summary>
    public const string FillDirectory = "/tmp/.skillvl-reclaim";

    /// <summary>
    /// The guest's script (POSIX sh, busybox's awk, dd, mount): prints <c>reclaim CACHE_BEFORE_KIB CACHE_AFTER_KIB
    /// ZEROED_MIB</c>. Cache is <c>Cached + Buffers − Shmem</c> (page cache; tmpfs data is the guest's data, not cache).
    /// </summary>
    public static readonly string Script =
        "m() { awk -v k=\"$1:\" '$1==k {print $2}' /proc/meminfo; }; "
        + "c() { echo $(( $(m Cached) + $(m Buffers) - $(m Shmem) )); }; "
        + $"d={FillDirectory}; umount $d 2>/dev/null; "
        + "c0=$(c); sync; echo 3 > /proc/sys/vm/drop_caches; c1=$(c); "
        + "f=$(cat /proc/sys/vm/min_free_kbytes); k=$(( 4 * f )); [ $k -lt 16384 ] && k=16384; "
        + "n=$(( ($(m MemFree) - k) / 1024 )); z=0; "
        + "if [ $n -gt 0 ] && mkdir -p $d && mount -t tmpfs -o size=${n}m,mode=0700 tmpfs $d; then "
        + "dd if=/dev/zero of=$d/z bs=1M count=$n 2>/dev/null; z=$(( $(wc -c < $d/z) / 1048576 )); rm -f $d/z; umount $d; fi; "
        + "echo reclaim $c0 $c1 $z";

    /// <summary>What a timed-out run leaves behind goes (the agent killed the script, maybe mid-fill).</summary>
    public static readonly string Cleanup = $"rm -f {FillDirectory}/z; umount {FillDirectory} 2>/dev/null; true";

    /// <summary>What the guest did, from its script's output; null when the output is not the script's.</summary>
    public static Outcome? Parse(string stdout)
    {
        var line = stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("reclaim ", StringComparison.Ordinal));
        var parts = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: 4 }
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var before)
            && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var after)
            && long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var zeroed)
            ? new Outcome(before, after, zeroed)
            : null;
    }

    /// <summary>Runs the reclaim in <paramref name="vmId"/>'s guest on <paramref name="vms"/> (the source node), at most
    /// <paramref name="timeout"/> (plus the cleanup's few seconds after a timeout); the line for the migration's log. Never
    /// throws but for <paramref name="cancellationToken"/>.</summary>
    public static async Task<string> RunAsync(IVmDriver vms, string vmId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(timeout + TimeSpan.FromSeconds(15));
            var result = await vms.GuestExecAsync(vmId, ["/bin/sh", "-c", Script], timeout, bound.Token);
            if (result.TimedOut)
            {
                using var cleanup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                cleanup.CancelAfter(TimeSpan.FromSeconds(15));
                await vms.GuestExecAsync(vmId, ["/bin/sh", "-c", Cleanup], TimeSpan.FromSeconds(5), cleanup.Token);
                return $"Reclaiming the guest's RAM did not end within {timeout.TotalSeconds:0.#} s; stopped, its fill removed; the move goes on.";
            }

            return Parse(result.Stdout) is { } outcome && result.ExitCode == 0
                ? outcome.Describe(clock.Elapsed)
                : $"Reclaiming the guest's RAM failed (exit {result.ExitCode}: {Trim(result.Stderr)}); the move goes on.";
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return $"Reclaiming the guest's RAM was skipped ({Trim(e.Message)}); the move goes on.";
        }
    }

    private static string Trim(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    /// <summary>The guest's page cache before and after <c>drop_caches</c> (KiB) and the free RAM it zeroed (MiB).</summary>
    public sealed record Outcome(long CacheBeforeKiB, long CacheAfterKiB, long ZeroedMiB)
    {
        /// <summary>Page cache the guest dropped, MiB.</summary>
        public long ReclaimedCacheMiB => Math.Max(0, CacheBeforeKiB - CacheAfterKiB) / 1024;

        /// <summary>The migration log's line.</summary>
        public string Describe(TimeSpan took) =>
            $"Reclaimed {ReclaimedCacheMiB} MiB of guest page cache before the move and zeroed {ZeroedMiB} MiB of its free RAM "
            + $"(QEMU sends zero pages as markers) in {took.TotalSeconds:0.#} s.";
    }
}
