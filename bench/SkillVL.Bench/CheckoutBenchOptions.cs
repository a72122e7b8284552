using System.Globalization;

namespace SkillVL.Bench;

/// <summary>
/// The sizes of <see cref="CheckoutBench"/> (issue 12's measurements). The defaults are the run in
/// <c>docs/benchmarks.md</c>; smaller ones make the CI smoke. The VM's disk is the 2 GiB "tiny-2g" of
/// <see cref="CorpusTemplate"/> (<see cref="MigrationBenchOptions.DiskMiB"/>), so the changed share is of 2 GiB.
/// </summary>
/// <remarks>Disk layout (MiB from the disk's start): the tiny OS [0, os); the base's corpus [os, os + BaseMiB); the VM's
/// history (what it wrote before the check-out) right after; then the changes written while checked out: part A (synced
/// by the sync), part B (written after the sync, what the check-in must carry). The guest copies each from the corpus.</remarks>
public sealed record CheckoutBenchOptions
{
    /// <summary>Client link rates (Mbit/s), one testbed each. Default 25, 50 (the issue's).</summary>
    public IReadOnlyList<int> Bandwidths { get; init; } = [25, 50];

    /// <summary>Round-trip time of the client's link (ms). Default 40.</summary>
    public int RttMs { get; init; } = 40;

    /// <summary>MiB of corpus data in the template's base (what a first, uncached check-out fetches besides the OS). The
    /// guest's writes copy it, wrapping around when they need more (nothing deduplicates, and far-apart repeats are beyond
    /// zstd's window, so a repeat costs what new data would).</summary>
    public int BaseMiB { get; init; } = 512;

    /// <summary>MiB the VM wrote before it is checked out: its overlay, which a full move back carries again. Default
    /// 1024: issue 6's VM (1 GiB written on its 2 GiB disk).</summary>
    public int HistoryMiB { get; init; } = 1024;

    /// <summary>Share of the 2 GiB disk (percent) the guest changes between the check-out and the check-in; half before
    /// the sync (synced), half after it (unsynced). Default 5, the issue's.</summary>
    public double ChangePercent { get; init; } = 5;

    /// <summary>The guest's RAM (MiB). Default 512, issue 6's VM.</summary>
    public int RamMiB { get; init; } = 512;

    /// <summary>MiB of the RAM holding corpus data (a tmpfs file), as in issue 6's VM (default 256, half); the rest of free
    /// RAM holds page cache before each move (<see cref="CheckoutBenchGuest.UseRamAsync"/>).</summary>
    public int RamFillMiB { get; init; } = 256;

    /// <summary>MiB each guest disk-throughput measurement writes (dd, conv=fsync), without and with a sync running; at
    /// most the unsynced part, into which it writes (that part is written over afterwards).</summary>
    public int ThroughputMiB { get; init; } = 48;

    /// <summary>MiB sent over the room network between the two VMs (nc), on each path.</summary>
    public int NetMiB { get; init; } = 16;

    /// <summary>MiB changed before the sync (part A).</summary>
    public int SyncedMiB => ChangedMiB / 2;

    /// <summary>MiB changed after the sync (part B).</summary>
    public int UnsyncedMiB => ChangedMiB - SyncedMiB;

    /// <summary>MiB changed while checked out, rounded to whole MiB.</summary>
    public int ChangedMiB => (int)Math.Round(MigrationBenchOptions.DiskMiB * ChangePercent / 100);

    /// <summary>The options <see cref="CorpusTemplate.BuildAsync"/> lays its template out by: the base, and the history as
    /// the "overlay" whose compressibility it measures (the history is the corpus's first <see cref="HistoryMiB"/>, at most
    /// the whole base: beyond it the history wraps around).</summary>
    public MigrationBenchOptions Template => new() { BaseMiB = BaseMiB, OverlayMiB = Math.Min(HistoryMiB, BaseMiB), RamFillMiB = 16 };

    /// <summary>Throws naming the option the bench cannot lay out.</summary>
    /// <param name="osMiB">The tiny OS disk's size: the base region starts there.</param>
    public void Validate(int osMiB)
    {
        if (Bandwidths.Count == 0 || Bandwidths.Any(b => b <= 0) || RttMs < 0)
        {
            throw new ArgumentException("--bandwidths takes positive numbers (Mbit/s) and --rtt a number of ms ≥ 0.");
        }

        if (HistoryMiB < 1 || ChangedMiB < 2 || ThroughputMiB < 1 || NetMiB < 1 || NetMiB > BaseMiB || BaseMiB < 16)
        {
            throw new ArgumentException("--history-mib, --throughput-mib and --net-mib are ≥ 1, --net-mib ≤ --base-mib ≥ 16, --change-percent gives ≥ 2 MiB.");
        }

        // The tiny OS and the page cache need about 128 MiB, the tmpfs a little more than the fill.
        if (RamFillMiB < 1 || RamMiB < 128 + RamFillMiB + 16)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--ram-fill-mib {RamFillMiB}: at least 1 and at most --ram-mib less 144 ({RamMiB - 144})."));
        }

        if (ThroughputMiB > UnsyncedMiB)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--throughput-mib {ThroughputMiB}: at most the unsynced half of the change ({UnsyncedMiB} MiB), which it writes into."));
        }

        if (osMiB + BaseMiB + HistoryMiB + ChangedMiB > MigrationBenchOptions.DiskMiB)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--base-mib and --history-mib: the OS ({osMiB}), base, history and change must fit the {MigrationBenchOptions.DiskMiB} MiB disk."));
        }
    }
}
