namespace SkillVL.Agent;

/// <summary>Settings of the agent of one node (the embedded Server passes its own).</summary>
public sealed class LocalNodeOptions
{
    /// <summary>Node name. Default "local" (the embedded node).</summary>
    public string NodeName { get; set; } = "local";

    /// <summary>Persistent state: disks, templates, instance id. Required.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The installation's id, which tags its interfaces; null: read from (or made in) the data directory. An
    /// embedding Server passes its own (ADR 0036).</summary>
    public string? InstanceId { get; set; }

    /// <summary>Volatile per-VM state that must outlive the agent process (pidfiles, sockets). Required.</summary>
    public string RuntimeDirectory { get; set; } = "";

    /// <summary>"auto", "kvm" or "tcg".</summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>Largest virtual size (bytes) a template's disk may declare; default 1 TiB (see QemuDriverOptions).</summary>
    public long MaxTemplateVirtualSizeBytes { get; set; } = 1L << 40;

    /// <summary>
    /// The system user QEMU runs as (ADR 0016; <see cref="Drivers.Qemu.QemuDriverOptions.RunAsUser"/>). Default
    /// <c>skillvl-qemu</c>, created at start when missing; empty runs QEMU as root (measurements only).
    /// </summary>
    public string QemuUser { get; set; } = "skillvl-qemu";

    /// <summary>QEMU's seccomp sandbox (<see cref="Drivers.Qemu.QemuDriverOptions.Sandbox"/>). Default on.</summary>
    public bool QemuSandbox { get; set; } = true;

    /// <summary>The CPU model VMs get (<see cref="Drivers.Qemu.QemuDriverOptions.CpuModel"/>); null: <c>host</c> under KVM,
    /// <c>max</c> under TCG. Name one on every node whose guests move to students' machines.</summary>
    public string? CpuModel { get; set; }

    /// <summary>How VMs reach room networks (<see cref="Drivers.Qemu.QemuDriverOptions.VmNetwork"/>): <c>bridge</c> (default)
    /// or <c>stream</c> (client nodes without bridges or taps, ADR 0052).</summary>
    public string VmNetwork { get; set; } = Drivers.Qemu.QemuDriverOptions.BridgeNetworking;

    /// <summary>Where VMs' disks live: null, qcow2 files in <see cref="DataDirectory"/> (default); else a Ceph RBD pool (ADR 0055).</summary>
    public Drivers.Qemu.Disks.Rbd.RbdDiskSettings? RbdDisks { get; set; }
}
