using SkillVL.Core.Quantities;

namespace SkillVL.Cli.Input;

/// <summary>
/// Sizes on the command line (<c>--memory 4GiB</c>): the quantities room.yaml takes (Core's
/// <see cref="MemoryQuantity"/>: 4Gi, 512Mi, 20G, plain bytes), also with the trailing "B" people type
/// (4GiB, 20GB, 512B).
/// </summary>
internal static class SizeParser
{
    public const string Expected = "use e.g. 4Gi (or 4GiB), 512Mi, 20G or a number of bytes";

    public static bool TryParse(string text, out long bytes)
    {
        var value = text.Trim();
        if (value.Length > 1 && value.EndsWith('B') && (char.IsAsciiDigit(value[^2]) || value[^2] is 'i' or 'K' or 'M' or 'G' or 'T'))
        {
            value = value[..^1];
        }

        return MemoryQuantity.TryParseBytes(value, out bytes);
    }
}
