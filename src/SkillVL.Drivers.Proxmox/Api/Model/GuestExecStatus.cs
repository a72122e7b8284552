namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary><c>agent/exec-status</c>: <c>{"exited":0}</c> while running, then exit code and output (proxmoxer #64).</summary>
public sealed record GuestExecStatus(bool Exited, int? ExitCode, string? Output, string? Error);
