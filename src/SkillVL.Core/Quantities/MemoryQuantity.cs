using System.Globalization;

namespace SkillVL.Core.Quantities;

/// <summary>
/// Memory sizes written as Kubernetes-style quantities: "256Mi", "1Gi", "512M" or a plain number of bytes.
/// Ki/Mi/Gi/Ti are binary (1024-based), K/M/G/T decimal (1000-based), the same as Kubernetes, so a room
/// author can paste values from a pod spec. Fractions and exponents ("1.5Gi", "1e9") are not accepted:
/// the room schema forbids them too, and a VM's RAM is whole bytes anyway.
/// </summary>
public static class MemoryQuantity
{
    // Longest suffix first so "Mi" is not read as "M" followed by garbage.
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("K", 1_000L), ("M", 1_000_000L), ("G", 1_000_000_000L), ("T", 1_000_000_000_000L),
    ];

    private static readonly (string Suffix, int Shift)[] BinaryUnitsLargestFirst =
    [
        ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10),
    ];

    /// <summary>Parses a quantity; false for anything else, including values that overflow a long.</summary>
    public static bool TryParseBytes(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var digits = text.AsSpan();
        long factor = 1;
        foreach (var (suffix, unitFactor) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                digits = digits[..^suffix.Length];
                factor = unitFactor;
                break;
            }
        }

        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        try
        {
            bytes = checked(number * factor);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Parses a quantity.</summary>
    /// <exception cref="FormatException">The text is not a quantity; the message names it.</exception>
    public static long ParseBytes(string text)
    {
        if (TryParseBytes(text, out var bytes))
        {
            return bytes;
        }

        throw new FormatException(
            $"'{text}' is not a memory quantity; expected a whole number with an optional unit, e.g. 256Mi, 1Gi, 512M or 1048576");
    }

    /// <summary>
    /// Writes bytes in the largest binary unit that divides them exactly (268435456 → "256Mi"), or as plain
    /// bytes when no unit does (1536 → "1536"), so <see cref="ParseBytes"/> gives the same number back.
    /// </summary>
    public static string Format(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes == 0)
        {
            return "0";
        }

        foreach (var (suffix, shift) in BinaryUnitsLargestFirst)
        {
            var unit = 1L << shift;
            if (bytes % unit == 0)
            {
                return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
