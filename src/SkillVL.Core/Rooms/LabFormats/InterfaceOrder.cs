using System.Globalization;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>Interface names in the order a person reads them: <c>eth2</c> before <c>eth10</c>, <c>e1-2</c> before
/// <c>e1-10</c> (runs of digits compare as numbers).</summary>
internal sealed class InterfaceOrder : IComparer<string>
{
    public static InterfaceOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var (a, b) = (x ?? "", y ?? "");
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var (na, ni) = Number(a, i);
                var (nb, nj) = Number(b, j);
                if (na != nb)
                {
                    return na.CompareTo(nb);
                }

                (i, j) = (ni, nj);
                continue;
            }

            if (a[i] != b[j])
            {
                return a[i].CompareTo(b[j]);
            }

            (i, j) = (i + 1, j + 1);
        }

        return (a.Length - i).CompareTo(b.Length - j);
    }

    private static (decimal Value, int End) Number(string text, int start)
    {
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return (decimal.Parse(text.AsSpan(start, Math.Min(end - start, 28)), NumberStyles.None, CultureInfo.InvariantCulture), end);
    }
}
