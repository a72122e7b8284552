namespace SkillVL.Drivers.Proxmox.Api.Model;

/// <summary><c>GET /version</c>: the pve-manager version (<c>9.1.2</c>) and the point release (<c>9.1</c>).</summary>
public sealed record PveVersion(string Version, string Release, string? RepoId)
{
    /// <summary>The major release (8, 9), or 0 when the release is not <c>x.y</c>.</summary>
    public int Major => int.TryParse(Release.Split('.')[0], out var major) ? major : 0;
}
