using SkillVL.Core.Migration;

namespace SkillVL.Core.Tests.Migration;

/// <summary>The link classes and VMs the migration tables use.</summary>
internal static class MigrationSamples
{
    public const long MiB = 1L << 20;
    public const long GiB = 1L << 30;

    /// <summary>Link classes by name, so theories can take them as plain strings.</summary>
    public static readonly IReadOnlyDictionary<string, LinkMeasurement> Links = new Dictionary<string, LinkMeasurement>
    {
        ["lan"] = new(DataRate.FromGigabitsPerSecond(10), TimeSpan.FromMilliseconds(0.2)),
        ["lan25"] = new(DataRate.FromGigabitsPerSecond(25), TimeSpan.FromMilliseconds(0.2)),
        ["campus"] = new(DataRate.FromGigabitsPerSecond(1), TimeSpan.FromMilliseconds(1)),
        ["wan"] = new(DataRate.FromMegabitsPerSecond(100), TimeSpan.FromMilliseconds(20)),
        ["dsl"] = new(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(40)),
        ["mobile"] = new(DataRate.FromMegabitsPerSecond(10), TimeSpan.FromMilliseconds(80), LossRatio: 0.01),
    };

    /// <summary>A 2 GiB guest cloned from a cached 2 GiB template with 1 GiB written on top.</summary>
    public static VmMigrationProfile Vm(double dirtyMiBPerSecond = 1) => new()
    {
        MemoryBytes = 2 * GiB,
        DirtyRate = DataRate.FromMebibytesPerSecond(dirtyMiBPerSecond),
        OverlayBytes = 1 * GiB,
        BaseImageBytes = 2 * GiB,
        TargetHasBase = true,
    };

    /// <summary>The research's model exactly: no protocol overhead, no resume time, no round trip.</summary>
    public static PreCopySettings Ideal(double downtimeMs = 300) => new()
    {
        Efficiency = 1,
        ResumeTime = TimeSpan.Zero,
        DowntimeLimit = TimeSpan.FromMilliseconds(downtimeMs),
    };

    public static LinkMeasurement Link(double megabits, double rttMs = 0, double loss = 0) =>
        new(DataRate.FromMegabitsPerSecond(megabits), TimeSpan.FromMilliseconds(rttMs), loss);

    public static VmMigrationProfile RamOnly(double gib, double dirtyMiBPerSecond) => new()
    {
        MemoryBytes = (long)(gib * GiB),
        DirtyRate = DataRate.FromMebibytesPerSecond(dirtyMiBPerSecond),
    };
}
