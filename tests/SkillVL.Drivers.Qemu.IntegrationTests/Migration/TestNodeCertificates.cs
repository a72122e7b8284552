using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>
/// A throw-away CA and node certificates in the layout QEMU's <c>tls-creds-x509</c> reads, for the driver tests
/// (the platform's own CA lives in the Server; here the driver is tested alone). ECDSA P-256, one certificate per
/// node usable as TLS server and client, SAN = the node's address.
/// </summary>
public sealed class TestNodeCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestNodeCertificates(string name = "SkillVL test CA")
    {
        var request = new CertificateRequest("CN=" + name, _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public X509Certificate2 Authority { get; }

    /// <summary>Writes ca-cert.pem and the node's key and certificate (as server-* and client-*) into <paramref name="directory"/>.</summary>
    /// <param name="nodeName">Also named in the SAN as a DNS name, as the platform CA names nodes (the relay identifies nodes by it).</param>
    public void WriteNode(string directory, string address, string? nodeName = null)
    {
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-" + address, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(address));
        if (nodeName is not null)
        {
            names.AddDnsName(nodeName);
        }

        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        // Within the CA's validity: a node written a second after the CA was made would otherwise outlive it (and Create throws).
        using var certificate = request.Create(Authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(23), serial);
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        File.WriteAllText(Path.Combine(directory, "ca-cert.pem"), Authority.ExportCertificatePem());
        foreach (var end in new[] { "server", "client" })
        {
            File.WriteAllText(Path.Combine(directory, end + "-cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(directory, end + "-key.pem"), keyPem);
            File.SetUnixFileMode(Path.Combine(directory, end + "-key.pem"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose()
    {
        Authority.Dispose();
        _caKey.Dispose();
    }
}
