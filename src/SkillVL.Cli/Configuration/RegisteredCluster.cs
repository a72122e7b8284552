namespace SkillVL.Cli.Configuration;

/// <summary>
/// A Proxmox VE cluster saved by <c>skillvl cluster add</c>: address, token id, pinned fingerprint and the token's secret
/// (the file holding it is the user's only, 0600, like the login token in config.json).
/// </summary>
internal sealed record RegisteredCluster(string Url, string TokenId, string Fingerprint, string Secret)
{
    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"{Url} as {TokenId}";
}
