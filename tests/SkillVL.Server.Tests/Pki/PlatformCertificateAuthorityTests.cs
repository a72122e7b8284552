using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Agent.Tls;
using SkillVL.Server.Pki;

namespace SkillVL.Server.Tests.Pki;

public sealed class PlatformCertificateAuthorityTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void LoadOrCreate_FirstStartMakesTheCa_LaterStartsLoadTheSameOne()
    {
        using var scratch = new ScratchDirectory();
        var directory = scratch.Sub("ca");
        string thumbprint;
        using (var ca = PlatformCertificateAuthority.LoadOrCreate(directory, "abc123", TimeProvider.System))
        {
            thumbprint = ca.Certificate.Thumbprint;
            Assert.Equal("CN=SkillVL platform CA abc123, O=SkillVL", ca.Certificate.Subject);
            Assert.Equal(ca.Certificate.Subject, ca.Certificate.Issuer);
            var constraints = ca.Certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            Assert.True(constraints is { CertificateAuthority: true, HasPathLengthConstraint: true, PathLengthConstraint: 0, Critical: true });
            Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, ca.Certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
            Assert.True(ca.Certificate.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddYears(10).AddDays(-2));
            Assert.False(ca.Certificate.HasPrivateKey); // the key stays in the CA object and its 0600 file
        }

        Assert.Equal(Owner | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(Owner, File.GetUnixFileMode(Path.Combine(directory, PlatformCertificateAuthority.KeyFile)));
        Assert.Contains("BEGIN RSA PRIVATE KEY", File.ReadAllText(Path.Combine(directory, PlatformCertificateAuthority.KeyFile)), StringComparison.Ordinal);

        using var again = PlatformCertificateAuthority.LoadOrCreate(directory, "another-id", TimeProvider.System);
        Assert.Equal(thumbprint, again.Certificate.Thumbprint);
    }

    [Fact]
    public void LoadOrCreate_CertificateWithoutItsKey_IsRefusedNotReplaced()
    {
        using var scratch = new ScratchDirectory();
        var directory = scratch.Sub("ca");
        PlatformCertificateAuthority.LoadOrCreate(directory, "abc123", TimeProvider.System).Dispose();
        File.Delete(Path.Combine(directory, PlatformCertificateAuthority.KeyFile));

        var refused = Assert.Throws<InvalidOperationException>(() => PlatformCertificateAuthority.LoadOrCreate(directory, "abc123", TimeProvider.System));

        Assert.Contains("its key", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, PlatformCertificateAuthority.KeyFile)));
    }

    [Fact]
    public void Issue_NamesComeFromTheServerNotTheCsr_AndTheCertificateServesBothEnds()
    {
        using var scratch = new ScratchDirectory();
        using var ca = PlatformCertificateAuthority.LoadOrCreate(scratch.Sub("ca"), "abc123", TimeProvider.System);
        using var key = RSA.Create(2048);
        // A greedy CSR: another subject, other names, a CA flag. None of it may reach the certificate.
        var greedy = new CertificateRequest("CN=admin", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var asked = new SubjectAlternativeNameBuilder();
        asked.AddDnsName("node2");
        asked.AddIpAddress(IPAddress.Parse("10.9.9.9"));
        greedy.CertificateExtensions.Add(asked.Build());
        greedy.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));

        using var certificate = ca.Issue(greedy.CreateSigningRequestPem(), "node1", IPAddress.Parse("192.0.2.12"));

        Assert.Equal("CN=node1, O=SkillVL nodes", certificate.Subject);
        var (dns, addresses) = NodeCertificatePolicy.SubjectAlternativeNames(certificate);
        Assert.Equal(["node1"], dns);
        Assert.Equal([IPAddress.Parse("192.0.2.12")], addresses);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages); // serverAuth, clientAuth
        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, keyUsage.KeyUsages);
        Assert.True(keyUsage.Critical);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());
        Assert.True(NodeCertificatePolicy.IsIssuedBy(certificate, ca.Certificate, DateTimeOffset.UtcNow));
        var lifetime = certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow;
        Assert.InRange(lifetime.TotalDays, 364, 365.01);
    }

    [Fact]
    public void Issue_WithoutUnderlayAddress_NamesOnlyTheNode()
    {
        using var scratch = new ScratchDirectory();
        using var ca = PlatformCertificateAuthority.LoadOrCreate(scratch.Sub("ca"), "abc123", TimeProvider.System);
        using var key = RSA.Create(2048);

        using var certificate = ca.Issue(NodeTlsEnrolment.CreateSigningRequestPem(key, "local"), "local", null);

        var (dns, addresses) = NodeCertificatePolicy.SubjectAlternativeNames(certificate);
        Assert.Equal(["local"], dns);
        Assert.Empty(addresses);
    }

    [Fact]
    public void Issue_CsrWithBadSignature_IsRefused()
    {
        using var scratch = new ScratchDirectory();
        using var ca = PlatformCertificateAuthority.LoadOrCreate(scratch.Sub("ca"), "abc123", TimeProvider.System);
        using var key = RSA.Create(2048);
        var der = new CertificateRequest("CN=node1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequest();
        der[^1] ^= 0x01; // the last byte of the signature: the request no longer proves possession of the key
        var tampered = new string(PemEncoding.Write("CERTIFICATE REQUEST", der));

        var refused = Assert.Throws<CertificateRequestRefusedException>(() => ca.Issue(tampered, "node1", null));

        Assert.Contains("not a validly signed", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa-1024")]
    [InlineData("rsa-3072")]
    [InlineData("ecdsa-p256")]
    [InlineData("garbage")]
    [InlineData("")]
    public void Issue_CsrOfTheWrongKindOrNoCsr_IsRefused(string kind)
    {
        using var scratch = new ScratchDirectory();
        using var ca = PlatformCertificateAuthority.LoadOrCreate(scratch.Sub("ca"), "abc123", TimeProvider.System);
        var csr = kind switch
        {
            "rsa-1024" => RsaCsr(1024),
            "rsa-3072" => RsaCsr(3072),
            "ecdsa-p256" => EcdsaCsr(),
            "garbage" => "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----\n",
            _ => "",
        };

        Assert.Throws<CertificateRequestRefusedException>(() => ca.Issue(csr, "node1", null));
    }

    private static string RsaCsr(int bits)
    {
        using var key = RSA.Create(bits);
        return new CertificateRequest("CN=node1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem();
    }

    private static string EcdsaCsr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=node1", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }
}
