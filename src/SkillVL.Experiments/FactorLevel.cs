using System.Globalization;
using SkillVL.Core.Migration;
using SkillVL.Core.Quantities;

namespace SkillVL.Experiments;

/// <summary>Parses and checks one level of a factor; the message of a bad one says what was expected.</summary>
public static class FactorLevel
{
    /// <summary>Null when <paramref name="text"/> is a valid level of <paramref name="factor"/>, else why not.</summary>
    public static string? Check(Factor factor, string text)
    {
        ArgumentNullException.ThrowIfNull(factor);
        return factor.Kind switch
        {
            FactorKind.Size => MemoryQuantity.TryParseBytes(text, out var bytes) && bytes >= 0 ? null : $"\"{text}\" is not a size (use e.g. 128Mi or 2Gi)",
            FactorKind.Rate => MigrationQuantities.TryParseRate(text, out var rate) && rate.BytesPerSecond >= 0
                ? factor.Name == Factor.Bandwidth && rate.BytesPerSecond == 0 ? $"\"{text}\" is no bandwidth (must be above 0)" : null
                : $"\"{text}\" is not a rate ({MigrationQuantities.RateExpected})",
            FactorKind.Duration => MigrationQuantities.TryParseDuration(text, out var duration) && duration >= TimeSpan.Zero ? null : $"\"{text}\" is not a duration ({MigrationQuantities.DurationExpected})",
            FactorKind.Count => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= 16 ? null : $"\"{text}\" is not a count of VMs (1 to 16)",
            FactorKind.Choice => factor.Choices.Contains(text) ? null : $"\"{text}\" is not one of {string.Join(", ", factor.Choices)}",
            // A migration needs the link to carry something: 100 % loss is refused as the migration API refuses it.
            FactorKind.Percentage => Percentage.TryParseFraction(text, out var fraction)
                ? fraction is >= 0 and < 1 ? null : $"\"{text}\" is out of range (from 0% up to, not including, 100%)"
                : $"\"{text}\" is not a percentage ({Percentage.Expected})",
            _ => throw new ArgumentOutOfRangeException(nameof(factor)),
        };
    }

    public static long Bytes(string text) => MemoryQuantity.ParseBytes(text);

    public static DataRate Rate(string text) =>
        MigrationQuantities.TryParseRate(text, out var rate) ? rate : throw new FormatException($"\"{text}\" is not a rate");

    public static TimeSpan Duration(string text) =>
        MigrationQuantities.TryParseDuration(text, out var duration) ? duration : throw new FormatException($"\"{text}\" is not a duration");

    /// <summary>"1%" → 0.01.</summary>
    public static double Fraction(string text) =>
        Percentage.TryParseFraction(text, out var fraction) ? fraction : throw new FormatException($"\"{text}\" is not a percentage");

    public static int Count(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
