using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace SkillVL.Server.Identity;

/// <summary>
/// The embedded issuer's keys, made on first start and kept in &lt;data&gt;/oidc (mode 0600): an RSA key that signs
/// tokens (published in the JWKS) and an AES key OpenIddict encrypts its codes and refresh tokens with.
/// </summary>
public sealed class IssuerKeys
{
    private IssuerKeys(RsaSecurityKey signing, SymmetricSecurityKey encryption)
    {
        Signing = signing;
        Encryption = encryption;
    }

    public RsaSecurityKey Signing { get; }

    public SymmetricSecurityKey Encryption { get; }

    public static IssuerKeys LoadOrCreate(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "oidc");
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var signingPath = Path.Combine(directory, "signing-key.pem");
        var encryptionPath = Path.Combine(directory, "encryption-key");

        var rsa = RSA.Create();
        if (File.Exists(signingPath))
        {
            rsa.ImportFromPem(File.ReadAllText(signingPath));
        }
        else
        {
            rsa.KeySize = 2048;
            WriteSecret(signingPath, rsa.ExportPkcs8PrivateKeyPem());
        }

        if (!File.Exists(encryptionPath))
        {
            WriteSecret(encryptionPath, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        // The key id is a digest of the public key, so it changes exactly when the key does.
        var kid = Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        var signing = new RsaSecurityKey(rsa) { KeyId = kid };
        var encryption = new SymmetricSecurityKey(Convert.FromBase64String(File.ReadAllText(encryptionPath).Trim()));
        return new IssuerKeys(signing, encryption);
    }

    private static void WriteSecret(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
