using System.Security.Cryptography.X509Certificates;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// The node names a platform node certificate carries: the DNS names of its subjectAltName. The platform CA writes the
/// node's name there (and its underlay address as an IP name, ADR 0011), so a certificate that chains to the CA and
/// names a node is that node's.
/// </summary>
internal static class RelayCertificateNames
{
    private const string SubjectAlternativeNameOid = "2.5.29.17";

    public static IReadOnlyList<string> DnsNames(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return [];
        }

        using var full = new X509Certificate2(certificate);
        foreach (var extension in full.Extensions)
        {
            if (extension.Oid?.Value == SubjectAlternativeNameOid)
            {
                return new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical).EnumerateDnsNames().ToList();
            }
        }

        return [];
    }
}
