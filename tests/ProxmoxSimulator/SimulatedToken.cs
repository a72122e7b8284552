namespace SkillVL.ProxmoxSimulator;

/// <summary>
/// An API token the simulator accepts, with its ACLs: privileges granted at a path propagate to every path below it
/// (PVE's <c>propagate=1</c>, the default), which is all SkillVL's role uses.
/// </summary>
public sealed class SimulatedToken(string id, string secret)
{
    public string Id { get; } = id;

    public string Secret { get; } = secret;

    public Dictionary<string, HashSet<string>> Acl { get; } = new(StringComparer.Ordinal);

    public SimulatedToken Grant(string path, params string[] privileges)
    {
        if (!Acl.TryGetValue(path, out var set))
        {
            Acl[path] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.UnionWith(privileges);
        return this;
    }

    /// <summary>The privileges at a path: its own and every ancestor's.</summary>
    public HashSet<string> Effective(string path)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (aclPath, privileges) in Acl)
        {
            if (aclPath == "/" || path == aclPath || path.StartsWith(aclPath + "/", StringComparison.Ordinal))
            {
                result.UnionWith(privileges);
            }
        }

        return result;
    }
}
