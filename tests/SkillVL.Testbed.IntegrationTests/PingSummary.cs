using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>The summary iputils ping prints with -q (as in the link emulator's tests).</summary>
internal sealed partial record PingSummary(int Transmitted, int Received, double MinMs, double AvgMs, double MaxMs)
{
    public static PingSummary Parse(string output)
    {
        var counts = CountsPattern().Match(output);
        var rtt = RttPattern().Match(output);
        if (!counts.Success || !rtt.Success)
        {
            throw new FormatException($"No ping summary in:\n{output}");
        }

        double Number(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);
        return new PingSummary(
            int.Parse(counts.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(counts.Groups[2].Value, CultureInfo.InvariantCulture),
            Number(rtt.Groups[1]),
            Number(rtt.Groups[2]),
            Number(rtt.Groups[3]));
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex CountsPattern();

    [GeneratedRegex(@"= ([\d.]+)/([\d.]+)/([\d.]+)/[\d.]+ ms")]
    private static partial Regex RttPattern();
}
