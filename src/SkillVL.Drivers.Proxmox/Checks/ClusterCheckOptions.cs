namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>
/// What to look for. Each null/empty means "any": any VXLAN zone, any storage for VM images; templates named here must
/// exist (a cluster without any template only warns: the tiny template can be imported later).
/// </summary>
public sealed record ClusterCheckOptions(string? Zone = null, string? Storage = null, IReadOnlyList<string>? Templates = null);
