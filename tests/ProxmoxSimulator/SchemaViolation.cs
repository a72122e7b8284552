namespace SkillVL.ProxmoxSimulator;

/// <summary>A request the official schema does not allow: which, and why (per parameter, as PVE words it).</summary>
public sealed record SchemaViolation(string Method, string Path, string Template, IReadOnlyDictionary<string, string> Problems)
{
    public override string ToString() =>
        $"{Method} {Path} ({Template}): " + string.Join("; ", Problems.Select(p => $"{p.Key}: {p.Value}"));
}
