namespace SkillVL.Drivers.Proxmox.Checks;

/// <summary>The findings of a cluster check; <see cref="Passed"/> when nothing required is missing.</summary>
public sealed record ClusterCheckReport(string Cluster, IReadOnlyList<CheckItem> Items)
{
    public bool Passed => Items.All(i => i.State != CheckState.Missing);
}
