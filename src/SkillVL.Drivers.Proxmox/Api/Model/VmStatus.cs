namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary><c>GET .../status/current</c>: running or stopped, and the lock another task holds (<c>clone</c>, <c>migrate</c>).</summary>
public sealed record VmStatus(long VmId, string Status, string? Name, string? Lock, bool Agent, bool Template);
