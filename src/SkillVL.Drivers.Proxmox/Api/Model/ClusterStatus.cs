namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>
/// <c>GET /cluster/status</c>: the cluster entry (name, quorum) and its nodes. A single node without a cluster has no
/// cluster entry; <see cref="Name"/> is then null and <see cref="Quorate"/> true.
/// </summary>
public sealed record ClusterStatus(string? Name, bool Quorate, IReadOnlyList<ClusterMember> Members);
