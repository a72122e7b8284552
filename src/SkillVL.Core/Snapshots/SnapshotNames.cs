using System.Text.RegularExpressions;

namespace SkillVL.Core.Snapshots;

/// <summary>
/// What a snapshot may be called: a short slug (lower-case letters, digits, inner hyphens; 1–32 characters). The name
/// becomes a qcow2 snapshot tag, a QMP job id and a URL segment as it is, so nothing in it needs escaping anywhere.
/// </summary>
public static partial class SnapshotNames
{
    public const int MaxLength = 32;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Slug().IsMatch(name);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Slug();
}
