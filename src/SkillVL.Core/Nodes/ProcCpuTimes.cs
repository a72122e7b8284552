namespace SkillVL.Core.Nodes;

/// <summary>The aggregate "cpu" line of /proc/stat, in USER_HZ ticks since boot: all time and the idle part of it
/// (idle + iowait — a CPU waiting for I/O could run something else).</summary>
public readonly record struct ProcCpuTimes(ulong Total, ulong Idle)
{
    /// <summary>Share of the CPUs busy between two readings, 0–1; null when no tick passed or the counters went back
    /// (a reading from before a reboot, or a different host).</summary>
    public double? UtilizationSince(ProcCpuTimes earlier)
    {
        if (Total <= earlier.Total || Idle < earlier.Idle)
        {
            return null;
        }

        var total = (double)(Total - earlier.Total);
        var idle = Math.Min(Idle - earlier.Idle, Total - earlier.Total);
        return Math.Clamp((total - idle) / total, 0, 1);
    }
}
