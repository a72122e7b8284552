namespace SkillVL.Drivers.Qemu.Disks.Rbd;

/// <summary>A node's Ceph settings for <c>--disk-store rbd</c> (ADR 0055), as the agent's flags give them.</summary>
/// <param name="Pool"><see cref="QemuDriverOptions.RbdPool"/>.</param>
/// <param name="CephConf"><see cref="QemuDriverOptions.CephConf"/>.</param>
/// <param name="CephUser"><see cref="QemuDriverOptions.CephUser"/>.</param>
/// <param name="CephKeyring"><see cref="QemuDriverOptions.CephKeyring"/>.</param>
public sealed record RbdDiskSettings(string Pool, string CephConf, string CephUser, string CephKeyring)
{
    /// <summary>Sets <paramref name="options"/> to keep VM disks in this pool.</summary>
    public void ApplyTo(QemuDriverOptions options)
    {
        options.DiskStore = QemuDriverOptions.RbdDisks;
        options.RbdPool = Pool;
        options.CephConf = CephConf;
        options.CephUser = CephUser;
        options.CephKeyring = CephKeyring;
    }
}
