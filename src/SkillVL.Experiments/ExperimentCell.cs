using System.Security.Cryptography;
using System.Text;
using SkillVL.Core.Migration;

namespace SkillVL.Experiments;

/// <summary>
/// One cell of the design: a level for every factor (<see cref="Factor.All"/>'s order), as the spec wrote it.
/// Its <see cref="Id"/> is a hash of those levels, not a position, so a run of a cell keeps its id when the spec gains
/// or loses other cells, and <c>--resume</c> still recognises it.
/// </summary>
public sealed record ExperimentCell
{
    public ExperimentCell(IReadOnlyList<string> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Count != Factor.All.Count)
        {
            throw new ArgumentException($"A cell has {Factor.All.Count} levels, not {levels.Count}.", nameof(levels));
        }

        Levels = levels;
        Key = string.Join(",", Factor.All.Select((f, i) => (f, i)).Where(x => !x.f.Added || levels[x.i] != x.f.Default).Select(x => $"{x.f.Name}={levels[x.i]}"));
        Id = "c" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)))[..8];
    }

    public IReadOnlyList<string> Levels { get; }

    /// <summary>"ram=128Mi,fill=zeros,…": readable, and what <see cref="Id"/> hashes; an <see cref="Factor.Added"/> factor
    /// only when it is not at its default.</summary>
    public string Key { get; }

    public string Id { get; }

    public string Level(string factor) => Levels[Factor.IndexOf(factor) is >= 0 and var i ? i : throw new ArgumentException($"no factor {factor}", nameof(factor))];

    public long RamBytes => FactorLevel.Bytes(Level(Factor.Ram));

    public string Fill => Level(Factor.Fill);

    public long DiskBytes => FactorLevel.Bytes(Level(Factor.Disk));

    public long WrittenBytes => FactorLevel.Bytes(Level(Factor.Written));

    public DataRate Bandwidth => FactorLevel.Rate(Level(Factor.Bandwidth));

    public TimeSpan Rtt => FactorLevel.Duration(Level(Factor.Rtt));

    public int Vms => FactorLevel.Count(Level(Factor.Vms));

    public string Method => Level(Factor.Method);

    public DataRate DirtyRate => FactorLevel.Rate(Level(Factor.Dirty));

    /// <summary>Random loss of each direction of the client link, a fraction (0.01 = 1 %).</summary>
    public double LossFraction => FactorLevel.Fraction(Level(Factor.Loss));

    /// <summary>True for <c>workload: service</c>: the room gets a peer VM whose client times the guest's service.</summary>
    public bool HasService => Level(Factor.Workload) == Factor.Service;

    /// <summary>After the move the service's client reaches it over the room's VXLAN overlay across the client link
    /// (its peer VM stays on the source node); false: the peer is on the target node, so it reaches it on the node.</summary>
    public bool ClientOverVxlan => Level(Factor.Vxlan) == "on";

    /// <summary>The RAM the guest fills with <see cref="Fill"/>'s data: half of it, as issue 6's scenario (the rest stays
    /// zeroed), but never the last <see cref="OsReserveBytes"/>: a 128 MiB tiny guest filled to 64 MiB was OOM-killed.</summary>
    public long FilledRamBytes => Math.Max(0, Math.Min(RamBytes / 2, RamBytes - OsReserveBytes));

    /// <summary>What the tiny guest's kernel, agent and page cache need beside the fill.</summary>
    public const long OsReserveBytes = 96L << 20;

    public bool Equals(ExperimentCell? other) => other is not null && other.Key == Key;

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}
