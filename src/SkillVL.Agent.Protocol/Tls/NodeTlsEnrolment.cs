using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Core.Errors;

namespace SkillVL.Agent.Tls;

/// <summary>
/// Keeps a node's QEMU TLS credentials current (ADR 0011), the same way for the embedded node and a remote agent:
/// ask the platform CA for its certificate; if the node's certificate is missing, from another CA, expiring within
/// <see cref="NodeCertificatePolicy.RenewBefore"/> or names the wrong things, make a CSR with the node's key (made
/// here, once, and never sent anywhere), have it signed, check what came back, and install it.
/// </summary>
public static class NodeTlsEnrolment
{
    public static async Task<NodeTlsOutcome> EnsureAsync(
        NodeTlsDirectory directory,
        string nodeName,
        IPAddress? underlayAddress,
        INodeCertificateIssuer issuer,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var ca = ParseCa(await issuer.GetCaCertificateAsync(cancellationToken));
        var now = time.GetUtcNow();
        var reason = directory.ReasonToRenew(ca, nodeName, underlayAddress, now);
        if (reason is null)
        {
            using var current = X509Certificate2.CreateFromPem(File.ReadAllText(directory.FilePath(Core.Nodes.NodeTlsFiles.ServerCertificate)));
            return new NodeTlsOutcome(false, null, current.NotAfter.ToUniversalTime(), current.SerialNumber);
        }

        using var key = directory.LoadKey() ?? RSA.Create(NodeCertificatePolicy.KeySizeBits);
        var issued = await issuer.IssueAsync(CreateSigningRequestPem(key, nodeName), cancellationToken);
        using var certificate = ParseCertificate(issued.Certificate, "certificate");
        using var issuedBy = ParseCertificate(issued.CaCertificate, "CA certificate");
        if (!issuedBy.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span))
        {
            throw new DriverException("The platform CA changed while this node's certificate was being issued; trying again later.", isTransient: true);
        }

        // The names are the CA's choice; the node insists only that the certificate is its own and from this CA.
        if (NodeCertificatePolicy.ReasonToRenew(certificate, key.ExportSubjectPublicKeyInfo(), ca, nodeName, null, time.GetUtcNow()) is { } problem)
        {
            throw new DriverException($"The Server sent an unusable certificate: {problem}.");
        }

        directory.Install(key, certificate, ca);
        return new NodeTlsOutcome(true, reason, certificate.NotAfter.ToUniversalTime(), certificate.SerialNumber);
    }

    /// <summary>A PKCS#10 request with the node's key. The CA uses only the key; the name is a courtesy for logs.</summary>
    public static string CreateSigningRequestPem(RSA key, string nodeName)
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + nodeName), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSigningRequestPem();
    }

    private static X509Certificate2 ParseCa(string pem)
    {
        var ca = ParseCertificate(pem, "CA certificate");
        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (constraints is not { CertificateAuthority: true } || !ca.SubjectName.RawData.AsSpan().SequenceEqual(ca.IssuerName.RawData))
        {
            ca.Dispose();
            throw new DriverException("The Server's platform CA certificate is not a self-signed CA certificate.");
        }

        return ca;
    }

    private static X509Certificate2 ParseCertificate(string pem, string what)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new DriverException($"The Server sent a {what} that is not a PEM certificate: {e.Message}", isTransient: false, e);
        }
    }
}
