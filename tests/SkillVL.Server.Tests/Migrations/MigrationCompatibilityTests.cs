using SkillVL.Core.Nodes;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>Issue 12, Deliver 6: a move to an incompatible hypervisor is refused before anything starts, with the reason.</summary>
public sealed class MigrationCompatibilityTests
{
    private static readonly HypervisorFacts Qemu72 = new("7.2.22", "pc-i440fx-7.2", "max", ["pc-i440fx-7.2", "pc-i440fx-7.1", "pc-i440fx-7.0"]);

    public static TheoryData<string, HypervisorFacts?, string, HypervisorFacts?, string, string, string?> Cases => new()
    {
        // because, source hypervisor, source accelerator, target hypervisor, target accelerator, target kind, message part
        { "same QEMU, same machine, max", Qemu72, "tcg", Qemu72, "tcg", "server", null },
        { "same QEMU to a client", Qemu72, "tcg", Qemu72, "tcg", "client", null },
        { "source silent", null, "tcg", Qemu72, "tcg", "server", "node 'src' has not reported its hypervisor" },
        { "target silent", Qemu72, "tcg", null, "tcg", "server", "node 'dst' has not reported its hypervisor" },
        { "kvm to tcg", Qemu72 with { CpuModel = "qemu64-v1" }, "kvm", Qemu72 with { CpuModel = "qemu64-v1" }, "tcg", "server", "between accelerators" },
        { "target not decided yet", Qemu72 with { CpuModel = "qemu64-v1" }, "tcg", Qemu72 with { CpuModel = "qemu64-v1" }, "auto", "server", null },
        { "older target lacks the machine type",
            Qemu72 with { Version = "8.2.2", MachineType = "pc-i440fx-8.2", MachineTypes = ["pc-i440fx-8.2", "pc-i440fx-7.2"] }, "tcg",
            Qemu72, "tcg", "server", "'dst' runs QEMU 7.2.22, which has no machine type pc-i440fx-8.2" },
        { "newer target configured with another type",
            Qemu72 with { CpuModel = "qemu64-v1" }, "tcg",
            Qemu72 with { Version = "8.2.2", MachineType = "pc-i440fx-8.2", MachineTypes = ["pc-i440fx-8.2", "pc-i440fx-7.2"], CpuModel = "qemu64-v1" }, "tcg", "server",
            "'dst' starts guests as pc-i440fx-8.2, the machine runs as pc-i440fx-7.2" },
        { "other named CPU", Qemu72 with { CpuModel = "qemu64-v1" }, "tcg", Qemu72 with { CpuModel = "Nehalem-v2" }, "tcg", "server", "CPU model on 'src' is qemu64-v1" },
        { "max across QEMU versions", Qemu72, "tcg", Qemu72 with { Version = "7.2.5" }, "tcg", "server", "'max', which differs between QEMU 7.2.22" },
        { "named model across QEMU versions", Qemu72 with { CpuModel = "qemu64-v1" }, "tcg", Qemu72 with { Version = "7.2.5", CpuModel = "qemu64-v1" }, "tcg", "client", null },
        { "host to a client", Qemu72 with { CpuModel = "host" }, "kvm", Qemu72 with { CpuModel = "host" }, "kvm", "client", "'host' (the server's own CPU)" },
        { "host between servers of one QEMU", Qemu72 with { CpuModel = "host" }, "kvm", Qemu72 with { CpuModel = "host" }, "kvm", "server", null },
        { "undecided source accelerator", Qemu72 with { CpuModel = "auto" }, "auto", Qemu72, "tcg", "server", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_NamesTheReason(
        string because, HypervisorFacts? source, string sourceAccelerator, HypervisorFacts? target, string targetAccelerator, string targetKind, string? message)
    {
        var from = new NodeFacts("src", 4, 8L << 30, sourceAccelerator, Hypervisor: source);
        var to = new NodeFacts("dst", 4, 8L << 30, targetAccelerator, targetKind, Hypervisor: target);

        var reason = MigrationCompatibility.Check(from, to);

        if (message is null)
        {
            Assert.True(reason is null, $"{because}: expected no refusal, got {reason}");
        }
        else
        {
            Assert.True(reason is not null, $"{because}: expected a refusal naming '{message}'");
            Assert.Contains(message, reason, StringComparison.Ordinal);
        }
    }

    private static readonly NodeStorage Pool = new(NodeStorage.Rbd, "6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab", "vms");

    public static TheoryData<string, NodeStorage?, NodeStorage?, string?> StorageCases => new()
    {
        // because, source storage, target storage, message part (null: the move may go)
        { "two file nodes mirror as before", null, null, null },
        { "same cluster, same pool: RAM only", Pool, Pool with { }, null },
        { "fsid in capitals is the same cluster", Pool, Pool with { ClusterFsid = Pool.ClusterFsid.ToUpperInvariant() }, null },
        { "rbd to a file node", Pool, null, "the machine's disk is in rbd pool 'vms' of Ceph cluster 6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab on 'src' and 'dst' keeps disks in its own files (qcow2)" },
        { "file node to rbd", null, Pool, "in its own files (qcow2) on 'src' and 'dst' keeps disks in rbd pool 'vms'" },
        { "another pool of the same cluster", Pool, Pool with { Pool = "other" }, "'dst' keeps disks in rbd pool 'other'" },
        { "the same pool name in another cluster", Pool, Pool with { ClusterFsid = "00000000-0000-4000-8000-000000000001" }, "Ceph cluster 00000000-0000-4000-8000-000000000001" },
    };

    /// <summary>Issue 16: nodes sharing a Ceph pool move RAM only; an RBD node moves nothing to or from a node that does not
    /// share its pool, and says so naming both nodes' storage.</summary>
    [Theory]
    [MemberData(nameof(StorageCases))]
    public void Check_Storage_SharedPoolOrRefusedNamingBoth(string because, NodeStorage? source, NodeStorage? target, string? message)
    {
        var from = new NodeFacts("src", 4, 8L << 30, "tcg", Hypervisor: Qemu72, Storage: source);
        var to = new NodeFacts("dst", 4, 8L << 30, "tcg", Hypervisor: Qemu72, Storage: target);

        var reason = MigrationCompatibility.Check(from, to);

        Assert.Equal(message is null && source is not null, NodeStorage.SharesDisks(source, target));
        if (message is null)
        {
            Assert.True(reason is null, $"{because}: expected no refusal, got {reason}");
        }
        else
        {
            Assert.True(reason is not null, $"{because}: expected a refusal naming '{message}'");
            Assert.Contains(message, reason, StringComparison.Ordinal);
        }
    }
}
