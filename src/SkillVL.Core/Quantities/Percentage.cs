using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Core.Quantities;

/// <summary>
/// A percentage as people write one for loss on a link: "0%", "1%", "0.1%". The sign is required (a bare "1" could be
/// a fraction or a percentage, as a bare "50" rate could be bits or bytes). Parsing does not check a range: the caller
/// knows its own (loss on a link that must carry a migration is below 100 %) and says so in its own words.
/// </summary>
public static partial class Percentage
{
    public const string Expected = "use e.g. 0%, 0.1% or 2%";

    /// <summary>The fraction <paramref name="text"/> writes ("1%" → 0.01); false when it is not a number with a % sign.</summary>
    public static bool TryParseFraction(string? text, out double fraction)
    {
        fraction = 0;
        var match = Pattern().Match(text?.Trim() ?? "");
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            return false;
        }

        fraction = percent / 100;
        return true;
    }

    /// <summary>"0.1%" for 0.001: the form linkem's and the testbed's <c>--loss</c> take.</summary>
    public static string Format(double fraction) => (fraction * 100).ToString("0.####", CultureInfo.InvariantCulture) + "%";

    [GeneratedRegex(@"^(?<n>-?\d+(\.\d+)?)\s*%$")]
    private static partial Regex Pattern();
}
