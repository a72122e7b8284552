namespace SkillVL.Core.Nodes;

/// <summary>
/// How busy a node is, read by its agent from /proc with each heartbeat (issue 14, Deliver 1; ADR 0027). Every figure
/// is optional: a kernel without PSI has no /proc/pressure, an older agent sends no sample at all, and the first
/// heartbeat has no CPU figure yet (it needs two /proc/stat readings).
/// </summary>
/// <param name="CpuUtilization">Share of all CPUs busy since the previous heartbeat, 0–1 (/proc/stat deltas: everything
/// but idle and iowait over the total).</param>
/// <param name="LoadAverage1">The 1-minute load average (/proc/loadavg, first field).</param>
/// <param name="RunQueue">Tasks runnable right now (/proc/loadavg, the number before the slash; it counts the reader).</param>
/// <param name="MemoryAvailableBytes">What new work could take without swapping (/proc/meminfo <c>MemAvailable</c>).</param>
/// <param name="MemoryTotalBytes">/proc/meminfo <c>MemTotal</c>.</param>
/// <param name="CpuPressure">PSI: share of the last 10 s in which some runnable task waited for a CPU, in percent
/// (/proc/pressure/cpu <c>some avg10</c>); null where the kernel has no PSI.</param>
/// <param name="MemoryPressure">PSI <c>some avg10</c> of /proc/pressure/memory, percent.</param>
/// <param name="IoPressure">PSI <c>some avg10</c> of /proc/pressure/io, percent.</param>
/// <param name="At">When the Server received the sample (its clock, not the node's); null as the agent sends it.</param>
public sealed record NodeLoadSample(
    double? CpuUtilization = null,
    double? LoadAverage1 = null,
    int? RunQueue = null,
    long? MemoryAvailableBytes = null,
    long? MemoryTotalBytes = null,
    double? CpuPressure = null,
    double? MemoryPressure = null,
    double? IoPressure = null,
    DateTimeOffset? At = null);
