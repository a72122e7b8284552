namespace SkillVL.Drivers.Qemu.Confinement;

/// <summary>The unprivileged user a VM's QEMU runs as.</summary>
/// <param name="User">Name, as in <see cref="QemuDriverOptions.RunAsUser"/>.</param>
/// <param name="Uid">Its uid (never 0).</param>
/// <param name="Gid">Its primary group: the group that may enter VM directories and open the VM's files.</param>
/// <param name="SupplementaryGroups">Groups of devices it needs (e.g. <c>kvm</c> for /dev/kvm), nothing else.</param>
public sealed record QemuIdentity(string User, int Uid, int Gid, IReadOnlyList<int> SupplementaryGroups);
