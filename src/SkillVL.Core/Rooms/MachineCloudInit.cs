namespace SkillVL.Core.Rooms;

/// <summary>
/// What a machine whose template takes cloud-init (template.json <c>"cloudInit": true</c>, ADR 0059) receives in its
/// NoCloud seed besides its name and static addresses. Ignored by templates without cloud-init.
/// </summary>
public sealed record MachineCloudInit
{
    /// <summary>OpenSSH public keys (one line each, "ssh-ed25519 AAAA… comment") for the template's default user.</summary>
    public IReadOnlyList<string> SshKeys { get; init; } = [];

    /// <summary>The room's own user-data: a "#cloud-config" document or a "#!" script, run once on the first boot.</summary>
    public string? UserData { get; init; }
}
