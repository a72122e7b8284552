namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>One finding: what was checked (<c>version</c>, <c>privileges /vms</c>, <c>sdn</c>...), how, and the details.</summary>
public sealed record CheckItem(string Area, CheckState State, string Detail);
