using SkillVL.Core.Nodes;

namespace SkillVL.Agent.Load;

/// <summary>
/// Reads the node's load from /proc for each heartbeat (ADR 0027): CPU use from the /proc/stat delta since the previous
/// reading, the load average and run queue, MemAvailable, and PSI's <c>some avg10</c>. A file that is missing or cannot
/// be read leaves its figures null (no PSI on an older kernel or with psi=0); reading never throws, so a heartbeat is
/// never lost to it. Nodes of the testbed share the host's /proc, so they all report the host's load: real data, the
/// same for every node there.
/// </summary>
/// <param name="procRoot">Where /proc is; a directory of captured files in tests.</param>
public sealed class NodeLoadReader(string procRoot = "/proc")
{
    private readonly Lock _gate = new();
    private ProcCpuTimes? _previous;

    /// <summary>The load now; CPU use is over the time since the previous call (null on the first).</summary>
    public NodeLoadSample Read()
    {
        var times = Read("stat") is { } stat ? ProcLoadParser.ParseStat(stat) : null;
        double? cpu = null;
        lock (_gate)
        {
            if (times is { } now)
            {
                cpu = _previous is { } earlier ? now.UtilizationSince(earlier) : null;
                _previous = now;
            }
        }

        var load = Read("loadavg") is { } loadavg ? ProcLoadParser.ParseLoadAverage(loadavg) : null;
        var (available, total) = Read("meminfo") is { } meminfo ? ProcLoadParser.ParseMemInfo(meminfo) : (null, null);
        return new NodeLoadSample(
            CpuUtilization: cpu,
            LoadAverage1: load?.LoadAverage1,
            RunQueue: load?.RunQueue,
            MemoryAvailableBytes: available,
            MemoryTotalBytes: total,
            CpuPressure: Pressure("cpu"),
            MemoryPressure: Pressure("memory"),
            IoPressure: Pressure("io"));
    }

    private double? Pressure(string resource) =>
        Read(Path.Combine("pressure", resource)) is { } text ? ProcLoadParser.ParsePressureSomeAvg10(text) : null;

    private string? Read(string relative)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procRoot, relative));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
