namespace SkillVL.Bench;

/// <summary>
/// The sizes and profiles of <see cref="MigrationBench"/>. The defaults are issue 6's scenario; smaller sizes are for
/// quick runs. The floor (bytes that must cross) and the time limits are computed from these, so a quick run is
/// compared against its own floor.
/// </summary>
public sealed record MigrationBenchOptions
{
    /// <summary>The template disk's size, as the issue states it. The base data and the overlay both live in it.</summary>
    public const int DiskMiB = 2048;

    /// <summary>The guest's RAM (MiB), as the issue states it.</summary>
    public const int MemoryMiB = 512;

    /// <summary>The tmpfs file the dirtying writer rewrites (MiB), on top of the RAM fill.</summary>
    public const int DirtyRegionMiB = 64;

    /// <summary>MiB the guest writes on top of its base (the VM's own disk data, what an overlay move must carry).
    /// Default 1024 (the 1 GiB). At most <see cref="BaseMiB"/>: the guest copies it from the base's corpus.</summary>
    public int OverlayMiB { get; init; } = 1024;

    /// <summary>MiB of corpus data in the template's base, after the tiny OS's filesystem. Default 1280: the overlay's
    /// 1024 plus the RAM fill's 256, so every byte the migration must carry comes from a different part of the corpus.
    /// The base region and the tiny OS (256 MiB) must fit in <see cref="DiskMiB"/>.</summary>
    public int BaseMiB { get; init; } = 1280;

    /// <summary>MiB of the guest's RAM filled with corpus data (a tmpfs file); the rest of free RAM is zeroed. Default 256
    /// (half of the 512 MiB, as the issue asks). The dirtying writer reads from it, so at least 16.</summary>
    public int RamFillMiB { get; init; } = 256;

    /// <summary>Link rates (Mbit/s) of the idle-guest rows. Default 20, 50, 100.</summary>
    public IReadOnlyList<int> Bandwidths { get; init; } = [20, 50, 100];

    /// <summary>Rates (MiB/s) at which the guest dirties RAM in the busy-guest rows, run at <see cref="DirtyLinkMbit"/>.
    /// Default 5, 20, 50.</summary>
    public IReadOnlyList<int> DirtyRates { get; init; } = [5, 20, 50];

    /// <summary>The link rate (Mbit/s) of the busy-guest rows: the middle profile.</summary>
    public int DirtyLinkMbit { get; init; } = 50;

    /// <summary>Which methods run (<c>--systems</c>): "baseline", "skillvl" or both (default). One alone is for looking at
    /// it, not for the report's ratios.</summary>
    public IReadOnlyList<string> Systems { get; init; } = ["baseline", "skillvl"];

    /// <summary>Throws naming the option whose value the bench cannot lay out.</summary>
    /// <param name="osMiB">The tiny OS disk's size: the base region starts there.</param>
    public void Validate(int osMiB)
    {
        if (OverlayMiB < 1 || OverlayMiB > BaseMiB)
        {
            throw new ArgumentException($"--overlay-mib {OverlayMiB}: between 1 and --base-mib ({BaseMiB}); the guest copies its overlay from the base's corpus.");
        }

        if (BaseMiB < 1 || osMiB + BaseMiB > DiskMiB)
        {
            throw new ArgumentException($"--base-mib {BaseMiB}: between 1 and {DiskMiB - osMiB} (the {DiskMiB} MiB disk less the tiny OS's {osMiB} MiB).");
        }

        // The overlay sits at the disk's end and is copied from the base region's start: the two must not coincide, or the
        // copy would write every block over itself.
        if (DiskMiB - OverlayMiB <= osMiB)
        {
            throw new ArgumentException($"--overlay-mib {OverlayMiB}: below {DiskMiB - osMiB}, so the overlay lands apart from the data it copies.");
        }

        // 512 MiB of RAM less the fill, the dirty region and what the tiny OS and the page cache need (≈ 100 MiB).
        if (RamFillMiB < 16 || RamFillMiB + DirtyRegionMiB > MemoryMiB - 128 || RamFillMiB > BaseMiB)
        {
            throw new ArgumentException($"--ram-fill-mib {RamFillMiB}: between 16 and {Math.Min(MemoryMiB - 128 - DirtyRegionMiB, BaseMiB)} (RAM left for the dirty region and the OS; no more than the base's corpus).");
        }

        if (Bandwidths.Any(b => b <= 0) || DirtyRates.Any(d => d <= 0) || DirtyLinkMbit <= 0)
        {
            throw new ArgumentException("--bandwidths and --dirty take positive numbers.");
        }
    }
}
