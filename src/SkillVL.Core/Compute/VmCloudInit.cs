namespace SkillVL.Core.Compute;

/// <summary>
/// What the room gives a machine for cloud-init (ADR 0059): the node writes it into the machine's NoCloud seed when
/// the template takes cloud-init, and ignores it otherwise. Not in the spec hash: cloud-init reads it on the first
/// boot of an instance only, so a change needs no restart.
/// </summary>
/// <param name="SshKeys">OpenSSH public keys for the template's default user.</param>
/// <param name="UserData">The room's own user-data ("#cloud-config" or "#!" script), or null.</param>
public sealed record VmCloudInit(IReadOnlyList<string> SshKeys, string? UserData);
