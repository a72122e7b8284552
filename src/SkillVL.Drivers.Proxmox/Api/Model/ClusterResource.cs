namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>
/// One entry of <c>GET /cluster/resources</c>: a node, a VM, a storage or an SDN zone, with the fields SkillVL reads
/// (capacity, template flag, tags, lock, pool). The answer is already filtered by the token's privileges.
/// </summary>
public sealed record ClusterResource(
    string Id, string Type, string? Node, long? VmId, string? Name, string? Status, bool Template,
    long? MaxCpu, long? MaxMemory, string? Tags, string? Lock, string? Pool, string? Storage);
