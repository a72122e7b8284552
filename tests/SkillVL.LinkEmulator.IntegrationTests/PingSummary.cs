using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.LinkEmulator.IntegrationTests;

/// <summary>The summary iputils ping prints with -q: packets sent/received and min/avg/max/mdev RTT in ms.</summary>
internal sealed partial record PingSummary(int Transmitted, int Received, double MinMs, double AvgMs, double MaxMs, double MdevMs)
{
    public double LossFraction => 1 - ((double)Received / Transmitted);

    public static PingSummary Parse(string output)
    {
        var counts = CountsPattern().Match(output);
        if (!counts.Success)
        {
            throw new FormatException($"No ping summary in:\n{output}");
        }

        var rtt = RttPattern().Match(output);
        double Number(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);
        return new PingSummary(
            int.Parse(counts.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(counts.Groups[2].Value, CultureInfo.InvariantCulture),
            rtt.Success ? Number(rtt.Groups[1]) : double.NaN,
            rtt.Success ? Number(rtt.Groups[2]) : double.NaN,
            rtt.Success ? Number(rtt.Groups[3]) : double.NaN,
            rtt.Success ? Number(rtt.Groups[4]) : double.NaN);
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex CountsPattern();

    [GeneratedRegex(@"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")]
    private static partial Regex RttPattern();
}
