using System.Text;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// Foreign names as room names (<c>^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$</c>): lower case, anything else a hyphen,
/// at most 32 characters, and unique within their kind.
/// </summary>
internal sealed class LabNames
{
    private const int MaxLength = 32;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>The name as a room name, or null when nothing of it is left (all punctuation).</summary>
    public static string? Slug(string raw)
    {
        var text = new StringBuilder(raw.Length);
        foreach (var c in raw.Trim().ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
            if (keep || (text.Length > 0 && text[^1] != '-'))
            {
                text.Append(keep ? c : '-');
            }
        }

        var slug = text.ToString().Trim('-');
        slug = slug.Length > MaxLength ? slug[..MaxLength].TrimEnd('-') : slug;
        return slug.Length == 0 ? null : slug;
    }

    /// <summary>A slug of <paramref name="raw"/> not given out before (<c>-2</c>, <c>-3</c>… when it was).</summary>
    public string Take(string raw, string fallback)
    {
        var stem = Slug(raw) ?? fallback;
        var name = stem;
        for (var i = 2; !_used.Add(name); i++)
        {
            var suffix = "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            name = (stem.Length + suffix.Length > MaxLength ? stem[..(MaxLength - suffix.Length)].TrimEnd('-') : stem) + suffix;
        }

        return name;
    }
}
