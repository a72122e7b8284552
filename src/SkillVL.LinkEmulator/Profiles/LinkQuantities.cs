using System.Globalization;

namespace SkillVL.LinkEmulator.Profiles;

/// <summary>
/// Parses the quantities of a link profile as people write them for tc: <c>50mbit</c>, <c>40ms</c>,
/// <c>0.1%</c>, <c>256KiB</c>. Every value needs its unit (a bare <c>40</c> could mean seconds or
/// milliseconds); a malformed value throws a <see cref="LinkProfileException"/> naming the field.
/// </summary>
public static class LinkQuantities
{
    // Rates are decimal SI and count bits, as tc's "kbit/mbit/gbit" do (50mbit = 50,000,000 bit/s).
    private static readonly (string Suffix, double Factor)[] RateUnits =
    [
        ("tbit", 1e12), ("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1),
    ];

    private static readonly (string Suffix, double TicksFactor)[] DurationUnits =
    [
        ("us", TimeSpan.TicksPerMillisecond / 1000.0), ("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond),
    ];

    // Binary (KiB, or Kubernetes-style Ki) and decimal (kB) sizes; a plain number is bytes.
    private static readonly (string Suffix, long Factor)[] ByteUnits =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30),
        ("ki", 1L << 10), ("mi", 1L << 20), ("gi", 1L << 30),
        ("kb", 1_000L), ("mb", 1_000_000L), ("gb", 1_000_000_000L),
        ("b", 1L),
    ];

    /// <summary>A rate in bits per second: <c>800kbit</c>, <c>50mbit</c>, <c>1.5gbit</c>. Must be positive.</summary>
    public static long ParseRate(string field, string text)
    {
        var trimmed = Required(field, text).ToLowerInvariant();
        if (trimmed.EndsWith("bps", StringComparison.Ordinal))
        {
            // tc reads "mbps" as megaBYTES per second, most people mean megabits: refuse rather than guess.
            throw new LinkProfileException(field, $"'{text}' is ambiguous (tc reads 'bps' as bytes per second); write the rate in bits, e.g. 50mbit");
        }

        foreach (var (suffix, factor) in RateUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                var value = Number(field, text, trimmed[..^suffix.Length]) * factor;
                if (value < 1 || value > long.MaxValue / 2)
                {
                    throw new LinkProfileException(field, $"'{text}' is out of range; a rate must be at least 1bit and finite");
                }

                return (long)Math.Round(value);
            }
        }

        NoUnit(field, text, trimmed, "50mbit");
        throw new LinkProfileException(field, $"'{text}' is not a rate; expected a number with a unit bit, kbit, mbit or gbit, e.g. 50mbit");
    }

    /// <summary>A duration: <c>250us</c>, <c>20ms</c>, <c>1.5s</c>. Zero is allowed (<c>0ms</c>); negative is not.</summary>
    public static TimeSpan ParseDuration(string field, string text)
    {
        var trimmed = Required(field, text).ToLowerInvariant();

        // DurationUnits lists "us" and "ms" before "s", so "20ms" is never read as "20m" seconds.
        foreach (var (suffix, ticksFactor) in DurationUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                var ticks = Number(field, text, trimmed[..^suffix.Length]) * ticksFactor;
                if (ticks > TimeSpan.FromHours(1).Ticks)
                {
                    throw new LinkProfileException(field, $"'{text}' is out of range; at most 1 hour");
                }

                return TimeSpan.FromTicks((long)Math.Round(ticks));
            }
        }

        NoUnit(field, text, trimmed, "20ms");
        throw new LinkProfileException(field, $"'{text}' is not a duration; expected a number with a unit us, ms or s, e.g. 20ms");
    }

    /// <summary>A fraction written as a percentage: <c>0.1%</c> is 0.001. Between 0% and 100%.</summary>
    public static double ParsePercentage(string field, string text)
    {
        var trimmed = Required(field, text);
        if (!trimmed.EndsWith('%'))
        {
            throw new LinkProfileException(field, $"'{text}' is not a percentage; write it with a % sign, e.g. 0.1%");
        }

        var percent = Number(field, text, trimmed[..^1]);
        if (percent > 100)
        {
            throw new LinkProfileException(field, $"'{text}' is out of range; between 0% and 100%");
        }

        return percent / 100;
    }

    /// <summary>A size in bytes: <c>1514</c>, <c>1514B</c>, <c>256KiB</c> (or <c>256Ki</c>), <c>1MiB</c>, <c>64kB</c>. Must be positive.</summary>
    public static long ParseBytes(string field, string text)
    {
        var trimmed = Required(field, text).ToLowerInvariant();
        var factor = 1L;
        var digits = trimmed;
        foreach (var (suffix, unitFactor) in ByteUnits)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal))
            {
                digits = trimmed[..^suffix.Length];
                factor = unitFactor;
                break;
            }
        }

        var value = Number(field, text, digits) * factor;
        if (value < 1 || value > 1L << 40)
        {
            throw new LinkProfileException(field, $"'{text}' is out of range; between 1 byte and 1TiB");
        }

        return (long)Math.Round(value);
    }

    /// <summary>Writes a rate the way <see cref="ParseRate"/> reads it, in the largest unit that divides it exactly.</summary>
    public static string FormatRate(long bitsPerSecond)
    {
        foreach (var (suffix, factor) in RateUnits)
        {
            if (bitsPerSecond % (long)factor == 0)
            {
                return (bitsPerSecond / (long)factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bitsPerSecond.ToString(CultureInfo.InvariantCulture) + "bit";
    }

    private static string Required(string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new LinkProfileException(field, "a value is required");
        }

        return text.Trim();
    }

    private static void NoUnit(string field, string original, string trimmed, string example)
    {
        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _))
        {
            throw new LinkProfileException(field, $"'{original}' has no unit; write e.g. {example}");
        }
    }

    private static double Number(string field, string original, string digits)
    {
        // Plain decimals only: no sign, no exponent, no thousands separators, so "-1ms" and "1e3ms" are errors.
        if (digits.Length == 0
            || !double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            throw new LinkProfileException(field, $"'{original}' does not start with a number; expected e.g. {Example(field)}");
        }

        return value;
    }

    private static string Example(string field) => field switch
    {
        _ when field.Contains("rate", StringComparison.Ordinal) => "50mbit",
        _ when field.Contains("loss", StringComparison.Ordinal) => "0.1%",
        _ when field.Contains("queue", StringComparison.Ordinal) || field.Contains("burst", StringComparison.Ordinal) => "256KiB",
        _ => "20ms",
    };
}
