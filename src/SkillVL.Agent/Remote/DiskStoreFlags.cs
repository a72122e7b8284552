using SkillVL.Drivers.Qemu;
using SkillVL.Drivers.Qemu.Disks.Rbd;

namespace SkillVL.Agent.Remote;

/// <summary>The agent's <c>--disk-store</c>, <c>--rbd-pool</c>, <c>--ceph-conf</c>, <c>--ceph-user</c> and <c>--ceph-keyring</c>
/// (ADR 0055), checked before anything is made.</summary>
public sealed record DiskStoreFlags(
    string Store = QemuDriverOptions.FileDisks,
    string? Pool = null,
    string CephConf = "/etc/ceph/ceph.conf",
    string CephUser = "skillvl",
    string? CephKeyring = null)
{
    /// <summary>What is wrong with the flags, each message naming its flag; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        if (Store != QemuDriverOptions.RbdDisks)
        {
            return Pool is null ? [] : ["--rbd-pool needs --disk-store rbd."];
        }

        var options = new QemuDriverOptions();
        ToSettings()!.ApplyTo(options);

        // The driver's messages name its option fields; the user typed flags.
        return RbdSettings.Validate(options)
            .Select(failure => "--disk-store rbd: " + failure
                .Replace("RbdPool", "--rbd-pool", StringComparison.Ordinal).Replace("CephUser", "--ceph-user", StringComparison.Ordinal)
                .Replace("CephConf", "--ceph-conf", StringComparison.Ordinal).Replace("CephKeyring", "--ceph-keyring", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The node's RBD settings, or null for qcow2 files. The keyring defaults to Ceph's own name for the user's.</summary>
    public RbdDiskSettings? ToSettings() => Store == QemuDriverOptions.RbdDisks
        ? new RbdDiskSettings(Pool ?? "", CephConf, CephUser, CephKeyring ?? $"/etc/ceph/ceph.client.{CephUser}.keyring")
        : null;
}
