using System.Globalization;
using System.Text.Json;

namespace SkillVL.Core.Rooms;

/// <summary>
/// Readable paths of fields, as <see cref="ValidationError.Field"/> carries them: "machines[1].nics[0].ip";
/// "" is the whole document. A key that is not identifier-like is written in brackets, ["odd key"], so the
/// path stays unambiguous.
/// </summary>
internal static class FieldPath
{
    public const string Root = "";

    public static string Property(string parent, string key)
    {
        if (!IsSimple(key))
        {
            return $"{parent}[{JsonSerializer.Serialize(key)}]";
        }

        return parent.Length == 0 ? key : $"{parent}.{key}";
    }

    public static string Index(string parent, int index) =>
        $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";

    private static bool IsSimple(string key)
    {
        if (key.Length == 0 || !(char.IsAsciiLetter(key[0]) || key[0] == '_'))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
