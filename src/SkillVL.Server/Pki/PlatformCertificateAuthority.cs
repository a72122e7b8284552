using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Agent.Tls;

namespace SkillVL.Server.Pki;

/// <summary>
/// The platform's own CA (ADR 0011): made on the Server's first start in &lt;data&gt;/ca (key 0600, directory 0700),
/// self-signed, valid for ten years, named after the installation's instance id. It signs node certificates for
/// QEMU's migration and NBD TLS from CSRs the nodes make, so no node key ever leaves its node. What it signs is
/// decided here: the node's name and underlay address as the Server knows them, serverAuth + clientAuth, never a CA,
/// for a year. Of the CSR only the public key is used, after its signature and key type are checked.
/// </summary>
public sealed class PlatformCertificateAuthority : IDisposable
{
    public const string DirectoryName = "ca";
    public const string CertificateFile = "ca-cert.pem";
    public const string KeyFile = "ca-key.pem";

    /// <summary>Ten years: long enough that no installation of a teaching lab sees it expire unplanned.</summary>
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3653);

    /// <summary>One year; nodes renew 30 days before the end (<see cref="NodeCertificatePolicy.RenewBefore"/>).</summary>
    public static readonly TimeSpan NodeCertificateLifetime = TimeSpan.FromDays(365);

    /// <summary>Certificates start a little in the past so that a node whose clock is behind accepts them.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// RSA-3072 for a key that signs for ten years (NIST SP 800-57 part 1 rates RSA-2048 acceptable only to 2030);
    /// node keys, renewed yearly, are RSA-2048.
    /// </summary>
    private const int CaKeySizeBits = 3072;

    /// <summary>A CSR is a few hundred bytes; anything much larger is not one.</summary>
    private const int MaxCsrChars = 16 * 1024;

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "serverAuth");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "clientAuth");

    private readonly RSA _key;
    private readonly TimeProvider _time;
    private readonly Lock _signing = new();

    private PlatformCertificateAuthority(X509Certificate2 certificate, RSA key, TimeProvider time)
    {
        Certificate = certificate;
        _key = key;
        _time = time;
        CertificatePem = certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>The CA certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem { get; }

    /// <summary>Loads the CA from <paramref name="directory"/>, or makes it there when there is none yet.</summary>
    public static PlatformCertificateAuthority LoadOrCreate(string directory, string instanceId, TimeProvider time)
    {
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (File.Exists(certificatePath))
        {
            if (!File.Exists(keyPath))
            {
                throw new InvalidOperationException(
                    $"The platform CA's certificate {certificatePath} is there but its key {keyPath} is not. Restore the key; "
                    + "or, to start a new CA (every node then gets a new certificate when it next connects), move both files aside.");
            }

            return Load(certificatePath, keyPath, time);
        }

        // No certificate: a key without one is the leftover of a first start that died before the certificate was
        // written, so nothing was ever signed with it.
        return Create(directory, certificatePath, keyPath, instanceId, time);
    }

    /// <summary>
    /// Signs a certificate for <paramref name="nodeName"/> with the public key of <paramref name="csrPem"/> after
    /// checking the CSR's signature and key. The names come from the caller (the Server's records), never the CSR.
    /// </summary>
    /// <exception cref="CertificateRequestRefusedException">The CSR is malformed, badly signed or of the wrong key.</exception>
    public X509Certificate2 Issue(string csrPem, string nodeName, IPAddress? underlayAddress)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        using var publicKey = ReadRequestKey(csrPem);
        var subject = new X500DistinguishedName($"CN={nodeName}, O=SkillVL nodes");
        var request = new CertificateRequest(subject, publicKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        // keyEncipherment as well: QEMU's own check of its credentials (crypto/tlscredsx509.c) refuses a critical
        // keyUsage without it, and for an RSA key it is the right bit anyway.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { ServerAuth, ClientAuth }, critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        if (underlayAddress is not null)
        {
            names.AddIpAddress(underlayAddress);
        }

        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var now = _time.GetUtcNow();
        var notAfter = Min(now + NodeCertificateLifetime, new DateTimeOffset(Certificate.NotAfter.ToUniversalTime()));
        lock (_signing)
        {
            return request.Create(
                Certificate.SubjectName,
                X509SignatureGenerator.CreateForRSA(_key, RSASignaturePadding.Pkcs1),
                now - ClockSkew,
                notAfter,
                NewSerialNumber());
        }
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    /// <summary>The CSR's public key, if the CSR is well formed, signed by that key, and the key is RSA-2048.</summary>
    private static RSA ReadRequestKey(string csrPem)
    {
        if (string.IsNullOrWhiteSpace(csrPem) || csrPem.Length > MaxCsrChars)
        {
            throw new CertificateRequestRefusedException($"The CSR is empty or longer than {MaxCsrChars} characters.");
        }

        CertificateRequest csr;
        try
        {
            // LoadSigningRequestPem checks the request's self-signature (proof that the sender holds the key), and
            // refuses any algorithm but the two named here (SHA-256, PKCS#1 v1.5: what NodeTlsEnrolment makes).
            csr = CertificateRequest.LoadSigningRequestPem(
                csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateRequestRefusedException($"The CSR is not a validly signed PKCS#10 request: {e.Message}", e);
        }

        var key = csr.PublicKey.GetRSAPublicKey()
            ?? throw new CertificateRequestRefusedException($"The CSR's key is {csr.PublicKey.Oid.FriendlyName ?? csr.PublicKey.Oid.Value}; nodes use RSA-{NodeCertificatePolicy.KeySizeBits}.");
        if (key.KeySize != NodeCertificatePolicy.KeySizeBits)
        {
            var size = key.KeySize;
            key.Dispose();
            throw new CertificateRequestRefusedException($"The CSR's key is RSA-{size}; nodes use RSA-{NodeCertificatePolicy.KeySizeBits}.");
        }

        return key;
    }

    private static PlatformCertificateAuthority Load(string certificatePath, string keyPath, TimeProvider time)
    {
        var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
        var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        using var certificateKey = certificate.GetRSAPublicKey();
        if (certificateKey is null || !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            certificate.Dispose();
            throw new InvalidOperationException($"The platform CA's key {keyPath} does not belong to its certificate {certificatePath}.");
        }

        return new PlatformCertificateAuthority(certificate, key, time);
    }

    private static PlatformCertificateAuthority Create(string directory, string certificatePath, string keyPath, string instanceId, TimeProvider time)
    {
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Directory.CreateDirectory(directory, owner | UnixFileMode.UserExecute);
        File.SetUnixFileMode(directory, owner | UnixFileMode.UserExecute);
        var key = RSA.Create(CaKeySizeBits);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN=SkillVL platform CA {instanceId}, O=SkillVL"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, critical: true)); // signs nodes, no sub-CAs
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        using var selfSigned = request.CreateSelfSigned(now - ClockSkew, now + CaLifetime);
        var certificate = X509Certificate2.CreateFromPem(selfSigned.ExportCertificatePem()); // the public part only

        // Key first, certificate last: a certificate on disk always has its key (see LoadOrCreate).
        WriteNew(keyPath, key.ExportRSAPrivateKeyPem() + "\n", owner);
        WriteNew(certificatePath, certificate.ExportCertificatePem() + "\n", owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new PlatformCertificateAuthority(certificate, key, time);
    }

    private static void WriteNew(string path, string text, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, mode);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>16 random bytes, top bit clear: positive, unique, unpredictable (CA/B Forum asks ≥ 64 random bits).</summary>
    private static byte[] NewSerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01; // never a leading zero byte, which DER would have to strip
        return serial;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
