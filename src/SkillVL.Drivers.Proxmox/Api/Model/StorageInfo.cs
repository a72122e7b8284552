namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary>One storage of <c>GET /storage</c>: its type, the content kinds it holds (<c>images</c> for VM disks), shared or not.</summary>
public sealed record StorageInfo(string Storage, string Type, IReadOnlyList<string> Content, bool Shared, bool Disabled);
