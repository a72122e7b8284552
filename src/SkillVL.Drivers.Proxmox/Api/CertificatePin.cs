using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// The SHA-256 fingerprint a cluster's certificate must have. PVE prints it as upper-case colon hex
/// (<c>pvenode cert info</c>, the GUI's "Fingerprint"); other tools print lower case or no colons, and a case
/// mismatch broke pinning elsewhere (PegaProx #733), so any of these forms parses to the same 32 bytes.
/// </summary>
public sealed class CertificatePin
{
    private readonly byte[] hash;

    private CertificatePin(byte[] hash) => this.hash = hash;

    /// <summary>The fingerprint as PVE prints it (upper-case colon hex).</summary>
    public string Display => Format(hash);

    public static CertificatePin Parse(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var hex = fingerprint.Trim();
        if (hex.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            hex = hex["sha256:".Length..];
        }

        hex = hex.Replace(":", "", StringComparison.Ordinal);
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new ArgumentException(
                $"'{fingerprint}' is not a SHA-256 fingerprint: expected 32 bytes in hex, e.g. AB:CD:...(32 pairs), as `pvenode cert info` prints it",
                nameof(fingerprint));
        }

        return new CertificatePin(Convert.FromHexString(hex));
    }

    /// <summary>The pin of a certificate (its DER bytes hashed), for tests and for printing what a server presented.</summary>
    public static CertificatePin Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new CertificatePin(SHA256.HashData(certificate.GetRawCertData()));
    }

    /// <summary>True when the certificate's own fingerprint is this one; the chain and its CA are not consulted.</summary>
    public bool Matches(X509Certificate? certificate) =>
        certificate is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), hash);

    public override string ToString() => Display;

    private static string Format(byte[] bytes) =>
        string.Join(':', bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
}
