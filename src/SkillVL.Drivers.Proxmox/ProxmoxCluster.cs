using SkillVL.Drivers.Proxmox.Api;

namespace SkillVL.Drivers.Proxmox;

/// <summary>
/// How to reach one Proxmox VE cluster: its API address, the API token SkillVL acts as, and the SHA-256 fingerprint
/// its certificate is pinned to (PVE clusters run with their own CA, which no machine trusts; pinning the leaf is what
/// PVE's own remote migration does with <c>fingerprint=</c>).
/// </summary>
/// <param name="Name">The name SkillVL knows the cluster by; every error message starts with it.</param>
/// <param name="BaseUri">The API address, e.g. <c>https://pve1.example.org:8006</c> (no path: <c>/api2/json</c> is added).</param>
/// <param name="Token">The API token (id and secret).</param>
/// <param name="Pin">The certificate fingerprint.</param>
public sealed record ProxmoxCluster(string Name, Uri BaseUri, ApiToken Token, CertificatePin Pin)
{
    /// <summary>The root of the JSON API (PVE's formatter <c>json</c>; <c>extjs</c> and others exist but add nothing here).</summary>
    public Uri ApiRoot => new(BaseUri, "/api2/json/");

    /// <summary>Never prints the secret (records print every member by default).</summary>
    public override string ToString() => $"{Name} ({BaseUri})";
}
