using System.Security.Cryptography;

namespace SkillVL.Server.Auth;

/// <summary>
/// The embedded admin's API token: made on first start, kept in the data directory (mode 0600).
/// It is registered as the admin's personal API token, which the CLI configuration left by `up` carries.
/// </summary>
public sealed class AdminToken
{
    private readonly byte[] _value;

    private AdminToken(string value)
    {
        Value = value;
        _value = System.Text.Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    public static AdminToken LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "admin-token");
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return new AdminToken(existing);
            }
        }

        var token = "svl_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, token + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new AdminToken(token);
    }

    /// <summary>Constant-time comparison, so response timing says nothing about the token.</summary>
    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(candidate), _value);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
