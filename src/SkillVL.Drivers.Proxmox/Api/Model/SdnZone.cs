namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>An SDN zone (<c>GET /cluster/sdn/zones</c>); SkillVL needs a <c>vxlan</c> one for room networks.</summary>
public sealed record SdnZone(string Zone, string Type, string? Peers, long? Mtu, string? State);
