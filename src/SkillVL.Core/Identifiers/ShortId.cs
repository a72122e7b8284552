using System.Security.Cryptography;

namespace SkillVL.Core.Identifiers;

/// <summary>
/// Platform ids: 12 lowercase hex characters (48 random bits). Short because Linux interface names are at
/// most 15 characters and we derive bridge and tap names from them ("svb" + id).
/// </summary>
public static class ShortId
{
    public const int Length = 12;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(Length / 2));

    public static bool IsValid(string? id) =>
        id is { Length: Length } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
