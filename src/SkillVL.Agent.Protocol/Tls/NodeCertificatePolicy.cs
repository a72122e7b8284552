using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SkillVL.Agent.Tls;

/// <summary>
/// When a node's certificate must be replaced (pure: the files are read elsewhere). A certificate is kept while it
/// chains to the current platform CA, belongs to the node's key, names the node (and its underlay address, when it
/// has one) and is valid for more than <see cref="RenewBefore"/>.
/// </summary>
public static class NodeCertificatePolicy
{
    /// <summary>
    /// 30 days before expiry a connected node gets a new certificate. Certificates last a year (the CA's choice), so
    /// this leaves a month of daily retries should the Server be away when the time comes.
    /// </summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>
    /// How often a long-lived connection (or the embedded node) looks again: twice a day is plenty against a 30-day
    /// window and costs one call.
    /// </summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromHours(12);

    /// <summary>The one key type nodes use and the CA accepts (ADR 0011 says why RSA and not ECDSA).</summary>
    public const int KeySizeBits = 2048;

    private const string SubjectAlternativeNameOid = "2.5.29.17";

    /// <summary>Why <paramref name="certificate"/> must be replaced, or null when it is good.</summary>
    /// <param name="keySubjectPublicKeyInfo">The node's public key (DER SubjectPublicKeyInfo).</param>
    /// <param name="underlayAddress">The node's underlay address; when given, the certificate must name it.</param>
    public static string? ReasonToRenew(
        X509Certificate2 certificate,
        ReadOnlySpan<byte> keySubjectPublicKeyInfo,
        X509Certificate2 ca,
        string nodeName,
        IPAddress? underlayAddress,
        DateTimeOffset now)
    {
        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            return $"the certificate is not valid before {certificate.NotBefore.ToUniversalTime():u}";
        }

        var left = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()) - now;
        if (left < RenewBefore)
        {
            return left <= TimeSpan.Zero
                ? $"the certificate expired at {certificate.NotAfter.ToUniversalTime():u}"
                : $"the certificate expires at {certificate.NotAfter.ToUniversalTime():u}, in less than {RenewBefore.TotalDays:0} days";
        }

        if (!IsIssuedBy(certificate, ca, now))
        {
            return "the certificate is not from the current platform CA";
        }

        using var publicKey = certificate.GetRSAPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(keySubjectPublicKeyInfo))
        {
            return "the certificate is not for the node's key";
        }

        var names = SubjectAlternativeNames(certificate);
        if (!names.Dns.Contains(nodeName, StringComparer.Ordinal))
        {
            return $"the certificate does not name node {nodeName}";
        }

        if (underlayAddress is not null && !names.Addresses.Contains(underlayAddress))
        {
            return $"the certificate does not name the underlay address {underlayAddress}";
        }

        return null;
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> alone (nothing else is trusted).</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // no CRL yet (ADR 0011)
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        try
        {
            return chain.Build(certificate)
                && chain.ChainElements.Count == 2
                && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(ca.RawDataMemory.Span);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The DNS names and IP addresses in the certificate's subjectAltName (empty when it has none).</summary>
    public static (IReadOnlyList<string> Dns, IReadOnlyList<IPAddress> Addresses) SubjectAlternativeNames(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == SubjectAlternativeNameOid)
            {
                var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                return (san.EnumerateDnsNames().ToList(), san.EnumerateIPAddresses().ToList());
            }
        }

        return ([], []);
    }
}
