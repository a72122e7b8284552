namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>
/// An SDN VNet (<c>GET /cluster/sdn/vnets</c>); <see cref="Tag"/> is the VXLAN VNI. With <c>pending=1</c>, <see cref="State"/>
/// is <c>new</c>, <c>changed</c> or <c>deleted</c> until <c>PUT /cluster/sdn</c> applies it, and null once applied.
/// </summary>
public sealed record SdnVnet(string Vnet, string Zone, long? Tag, string? Alias, string? State);
