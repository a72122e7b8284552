namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>How one finding of <see cref="ClusterCheck"/> came out.</summary>
public enum CheckState
{
    /// <summary>Present and as SkillVL needs it.</summary>
    Ok,

    /// <summary>Worth knowing, not blocking (a node offline, no template yet).</summary>
    Warning,

    /// <summary>Required and missing: SkillVL cannot run on the cluster until it is fixed.</summary>
    Missing,
}
