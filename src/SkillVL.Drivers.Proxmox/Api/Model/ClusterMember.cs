namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>A node entry of <c>GET /cluster/status</c>: whether corosync sees it online.</summary>
public sealed record ClusterMember(string Name, bool Online, string? Address);
