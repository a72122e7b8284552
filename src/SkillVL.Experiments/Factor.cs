namespace SkillVL.Experiments;

/// <summary>
/// One factor an experiment can vary: its name in the spec and the CSV, what kind of level it takes, and the level a
/// cell gets when the spec does not vary it. The defaults describe the smallest useful run (a tiny idle VM on a fast
/// link), so a spec only names what it studies.
/// </summary>
/// <param name="Added">A factor added after results.csv files were first written (issue 13's later slices): a cell's
/// <see cref="ExperimentCell.Key"/> leaves it out while it is at its default, so every cell id of an earlier run still
/// names the same cell, and an earlier results.csv reads (and resumes) with the factor at its default.</param>
public sealed record Factor(string Name, FactorKind Kind, string Default, string Meaning, bool Added = false)
{
    public const string Ram = "ram";
    public const string Fill = "fill";
    public const string Disk = "disk";
    public const string Written = "written";
    public const string Bandwidth = "bandwidth";
    public const string Rtt = "rtt";
    public const string Vms = "vms";
    public const string Method = "method";
    public const string Dirty = "dirty";
    public const string Loss = "loss";
    public const string Workload = "workload";
    public const string Vxlan = "vxlan";

    /// <summary>The <see cref="Workload"/> level that runs a service in the guest and a client on a peer VM.</summary>
    public const string Service = "service";

    /// <summary>Every factor, in the order of the CSV's columns and of a cell's levels.</summary>
    public static readonly IReadOnlyList<Factor> All =
    [
        new(Ram, FactorKind.Size, "128Mi", "the VM's RAM"),
        new(Fill, FactorKind.Choice, "zeros", "what half of the RAM holds: zeros, compressible (files of this host) or random"),
        new(Disk, FactorKind.Size, "256Mi", "the VM's disk (its template's virtual size)"),
        new(Written, FactorKind.Size, "0Mi", "what the guest writes on its disk before the move (the overlay)"),
        new(Bandwidth, FactorKind.Rate, "1Gbit", "the client link's rate, each direction"),
        new(Rtt, FactorKind.Duration, "0ms", "the client link's round-trip time"),
        new(Vms, FactorKind.Count, "1", "VMs migrating at once"),
        new(Method, FactorKind.Choice, "skillvl", "skillvl (the policy, template cached) or baseline (qm migrate --online --with-local-disks)"),
        new(Dirty, FactorKind.Rate, "0MiB/s", "the rate the guest dirties RAM during the move (0: idle)"),
        new(Loss, FactorKind.Percentage, "0%", "random loss of each direction of the client link", Added: true),
        new(Workload, FactorKind.Choice, "none", "none, or service: an HTTP service in the guest, a client on a peer VM timing its requests", Added: true),
        new(Vxlan, FactorKind.Choice, "on", "service only: on, the client stays on the source and reaches the moved service over the room's VXLAN overlay; off, the client is on the target, so after the move no room traffic crosses the link", Added: true),
    ];

    /// <summary>The levels a <see cref="FactorKind.Choice"/> factor accepts.</summary>
    public IReadOnlyList<string> Choices => Name switch
    {
        Fill => ["zeros", "compressible", "random"],
        Method => ["skillvl", "baseline"],
        Workload => ["none", Service],
        Vxlan => ["on", "off"],
        _ => [],
    };

    /// <summary>The index of <paramref name="name"/> in <see cref="All"/>, or -1.</summary>
    public static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
