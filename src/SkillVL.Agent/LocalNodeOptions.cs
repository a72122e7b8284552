namespace SkillVL.Agent;

/// <summary>Settings of the agent of one node (the embedded Server passes its own).</summary>
public sealed class LocalNodeOptions
{
    /// <summary>Node name. Default "local" (the embedded node).</summary>
    public string NodeName { get; set; } = "local";

    /// <summary>Persistent state: disks, templates, instance id. Required.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Volatile per-VM state that must outlive the agent process (pidfiles, sockets). Required.</summary>
    public string RuntimeDirectory { get; set; } = "";

    /// <summary>"auto", "kvm" or "tcg".</summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>Largest virtual size (bytes) a template's disk may declare; default 1 TiB (see QemuDriverOptions).</summary>
    public long MaxTemplateVirtualSizeBytes { get; set; } = 1L << 40;
}
