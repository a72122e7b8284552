using System.Collections.Concurrent;

namespace SkillVL.Server.Templates;

/// <summary>
/// Which template contents are unusable and why (issue 11): a disk stored by an older version that names a backing
/// or data file, is encrypted, corrupt or absurdly large. Filled at start by inspecting every stored content (the
/// file decides, so it is not kept in the database: the next start inspects again); no machine is created or
/// started from an unusable content, and the template list shows the reason.
/// </summary>
public sealed class TemplateHealth
{
    private readonly ConcurrentDictionary<string, string> _unusable = new(StringComparer.Ordinal);

    /// <summary>Why the content <paramref name="sha256"/> is unusable, or null when it is usable (or unknown).</summary>
    public string? Problem(string sha256) => _unusable.GetValueOrDefault(sha256);

    /// <summary>Records the inspection of <paramref name="sha256"/>: its problem, or null when it passed.</summary>
    public void Record(string sha256, string? problem)
    {
        if (problem is null)
        {
            _unusable.TryRemove(sha256, out _);
        }
        else
        {
            _unusable[sha256] = problem;
        }
    }
}
