namespace SkillVL.Experiments;

/// <summary>
/// What the machine running the testbed can hold, so a spec asking for more fails before anything starts rather
/// than an hour in. All the testbed's nodes share this host: during a move the source's and the target's QEMU
/// both hold the guest's RAM, so a cell needs 2 × RAM × VMs at once plus <see cref="OverheadBytes"/>.
/// </summary>
public sealed record ExperimentLimits(long HostMemoryBytes)
{
    /// <summary>The Server, agents, link emulator and page cache the runner needs besides the guests.</summary>
    public const long OverheadBytes = 512L << 20;

    /// <summary>Bytes a cell needs on this host.</summary>
    public static long NeededBytes(ExperimentCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return (2 * cell.RamBytes * cell.Vms) + (cell.HasService ? PeerRamBytes : 0) + OverheadBytes;
    }

    /// <summary>The service workload's peer VM (its client), which stays on the source node.</summary>
    public const long PeerRamBytes = 128L << 20;

    /// <summary>MemAvailable of /proc/meminfo: what this host can give the guests now.</summary>
    public static ExperimentLimits OfThisHost()
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("/proc/meminfo has no MemAvailable line.");
        var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        return new ExperimentLimits(kib * 1024);
    }
}
