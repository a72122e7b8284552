using System.Globalization;

namespace SkillVL.Experiments.Host;

/// <summary>
/// The shell scripts that give a guest its cell's state: RAM filled with the cell's kind of data, the overlay written at
/// the disk's end, free RAM zeroed, and a writer dirtying RAM at a rate. Busybox only (the tiny guest).
/// </summary>
/// <remarks>
/// Kinds of data: <c>zeros</c> writes nothing (zero pages, which QEMU sends as flags); <c>random</c> reads
/// /dev/urandom (incompressible); <c>compressible</c> is <c>od</c>'s hex dump of random bytes — text whose every page
/// is non-zero and which zstd shrinks about 2.1:1 (<see cref="ModelPrediction.CompressibleRatio"/>), without a corpus
/// the tiny guest lacks.
/// </remarks>
public static class GuestLoad
{
    /// <summary>The tmpfs file the dirtying writer rewrites (MiB).</summary>
    public const int DirtyRegionMiB = 32;

    /// <summary>Fills half the RAM, writes the overlay, drops the page cache and zeroes free RAM.</summary>
    public static string Prepare(ExperimentCell cell, long osBytes)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var fill = (int)(cell.FilledRamBytes >> 20);
        var written = (int)(cell.WrittenBytes >> 20);
        var seek = (int)((cell.DiskBytes - cell.WrittenBytes) >> 20);
        if (written > 0 && cell.DiskBytes - cell.WrittenBytes < osBytes)
        {
            throw new ArgumentException($"written {cell.Level(Factor.Written)} would overwrite the template's OS (the first {osBytes >> 20} MiB of the disk)", nameof(cell));
        }

        var script = new List<string>
        {
            I($"mkdir -p /dev/shm && mount -t tmpfs -o size={fill + DirtyRegionMiB + 24}m tmpfs /dev/shm"),
        };
        if (cell.Fill != "zeros" && fill > 0)
        {
            script.Add(I($"{Source(cell.Fill, fill)} > /dev/shm/ram"));
        }

        if (written > 0)
        {
            // Busybox dd has no iflag=fullblock: a pipe's short reads are written one after the other, which lays the
            // bytes down contiguously from the seek offset all the same; head -c bounds the amount.
            script.Add(I($"{Source(cell.Fill, written)} | dd of=/dev/vda bs=1M seek={seek} conv=notrunc 2>/dev/null"));
        }

        // The page cache would keep the written blocks in RAM too; free pages keep what they last held: drop the cache,
        // then fill a tmpfs with zeros and free it, so the rest of RAM is empty.
        script.Add("sync && echo 3 > /proc/sys/vm/drop_caches");
        script.Add("mkdir -p /mnt/scrub && mount -t tmpfs -o size=100% tmpfs /mnt/scrub && "
            + "n=$(awk '/MemFree/ {print int($2/1024) - 48}' /proc/meminfo) && { [ $n -le 0 ] || dd if=/dev/zero of=/mnt/scrub/z bs=1M count=$n 2>/dev/null; }; "
            + "rm -f /mnt/scrub/z; umount /mnt/scrub");
        return string.Join(" && ", script);
    }

    /// <summary>
    /// A background writer that copies <paramref name="rateMiBs"/> MiB of fresh data (from an 8 MiB random source, at
    /// rotating offsets) over the dirty region each second of the guest's clock, so pages really change (xbzrle would
    /// send an unchanged page as an empty delta). As the migration bench's writer, catching up when late.
    /// </summary>
    public static string DirtyWriter(int rateMiBs)
    {
        const int Source = 7; // MiB, odd: the source offset runs modulo 7 and the target modulo 32, so contents rotate.
        return I($$"""
            (dd if=/dev/urandom of=/dev/shm/src bs=1M count={{Source}} 2>/dev/null
            dd if=/dev/zero of=/dev/shm/dirty bs=1M count={{DirtyRegionMiB}} 2>/dev/null
            cs() { awk '{printf "%d", $1 * 100}' /proc/uptime; }
            t0=$(cs); n=0; k=0
            while :; do
              left={{rateMiBs}}
              while [ $left -gt 0 ]; do
                d=$((n % {{DirtyRegionMiB}})); s=$((n % {{Source}})); c=1
                dd if=/dev/shm/src of=/dev/shm/dirty bs=1M skip=$s seek=$d count=$c conv=notrunc 2>/dev/null
                n=$((n + c)); left=$((left - c))
              done
              k=$((k + 1)); now=$(cs)
              w=$((t0 + k * 100 - now)); [ $w -gt 0 ] && usleep $((w * 10000))
            done) </dev/null >/dev/null 2>&1 &
            """);
    }

    /// <summary>A pipeline printing <paramref name="mib"/> MiB of the kind's data.</summary>
    private static string Source(string fill, int mib) => fill switch
    {
        "random" => I($"head -c {(long)mib << 20} /dev/urandom"),
        "compressible" => I($"od -An -tx1 -v /dev/urandom | head -c {(long)mib << 20}"),
        _ => I($"head -c {(long)mib << 20} /dev/zero"),
    };

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
