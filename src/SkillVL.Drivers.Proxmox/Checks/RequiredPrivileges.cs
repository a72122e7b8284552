namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>
/// The minimal privileges SkillVL's token needs, per ACL path, from the 9.1 schema's permission checks of the calls the
/// backend makes (clone: VM.Clone + VM.Allocate + Datastore.AllocateSpace + SDN.Use; vnets: SDN.Allocate on the zone;
/// apply: SDN.Allocate on /sdn; cluster status: Sys.Audit on /). docs/deploy/proxmox.md turns this list into a role.
/// PVE 9 split the guest agent's VM.Monitor into VM.GuestAgent.* (api-8.4-vs-9.1-diff.txt); exec needs Unrestricted.
/// </summary>
public static class RequiredPrivileges
{
    public static readonly string[] Vms =
    [
        "VM.Allocate", "VM.Audit", "VM.Clone", "VM.Config.CPU", "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory",
        "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.Migrate", "VM.PowerMgmt",
    ];

    public static readonly string[] GuestAgentPve9 = ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"];

    public static readonly string[] GuestAgentPve8 = ["VM.Monitor"];

    public static readonly string[] Storage = ["Datastore.AllocateSpace", "Datastore.Audit"];

    public static readonly string[] Zone = ["SDN.Allocate", "SDN.Audit", "SDN.Use"];

    public static readonly string[] SdnApply = ["SDN.Allocate"];

    public static readonly string[] Root = ["Sys.Audit"];

    /// <summary>(ACL path, privileges) pairs for a PVE major release, zone and storage.</summary>
    public static IReadOnlyList<(string Path, IReadOnlyList<string> Privileges)> For(int major, string? zone, string? storage) =>
    [
        ("/", Root),
        ("/vms", [.. Vms, .. major >= 9 ? GuestAgentPve9 : GuestAgentPve8]),
        (storage is null ? "/storage" : $"/storage/{storage}", Storage),
        ("/sdn", SdnApply),
        (zone is null ? "/sdn/zones" : $"/sdn/zones/{zone}", Zone),
    ];

    /// <summary>Every privilege of the role, for the docs' <c>pveum role add</c> line.</summary>
    public static IReadOnlyList<string> Role(int major) =>
        [.. For(major, null, null).SelectMany(p => p.Privileges).Distinct().Order(StringComparer.Ordinal)];
}
