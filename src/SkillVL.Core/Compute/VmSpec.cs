namespace SkillVL.Core.Compute;

/// <summary>
/// Everything a node needs to run one VM. Backend-neutral: the QEMU driver turns it into a command line,
/// a Proxmox driver into a clone + config call.
/// </summary>
/// <param name="Id">Platform id of the machine (<see cref="Identifiers.ShortId"/>).</param>
/// <param name="Name">Name in the room; used as the guest hostname.</param>
/// <param name="TemplateSha256">Content address of the template the disk is cloned from.</param>
/// <param name="Cpus">Virtual CPUs.</param>
/// <param name="MemoryBytes">Guest RAM in bytes.</param>
/// <param name="Nics">Network interfaces, in guest order.</param>
/// <param name="SpecHash">Hash of the fields that need a restart to change; a running VM whose hash differs is restarted.</param>
/// <param name="Room">Name of the machine's room, for people on the node (<c>skillvl-agent vms</c>, ADR 0024); not in the
/// hash, and null from an older Server.</param>
/// <param name="CloudInit">SSH keys and user-data for a template that takes cloud-init (ADR 0059), or null; not in the hash.</param>
public sealed record VmSpec(
    string Id,
    string Name,
    string TemplateSha256,
    int Cpus,
    long MemoryBytes,
    IReadOnlyList<NicSpec> Nics,
    string SpecHash,
    string? Room = null,
    VmCloudInit? CloudInit = null);
