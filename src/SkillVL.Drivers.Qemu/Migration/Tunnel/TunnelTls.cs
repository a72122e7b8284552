using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The tunnel's TLS: the node's platform certificate (the files QEMU's <c>tls-creds-x509</c> reads, ADR 0011) on both
/// ends, and a peer is trusted only if its certificate chains to the platform CA — the system's CAs count for nothing.
/// The source also checks the target's name (its underlay address, in the certificate's SAN), as QEMU's
/// <c>tls-hostname</c> does. Files are read per tunnel, so a renewed certificate is used from the next migration on.
/// </summary>
internal sealed class TunnelTls : IDisposable
{
    private const SslProtocols Protocols = SslProtocols.Tls13 | SslProtocols.Tls12;

    private readonly X509Certificate2 _certificate;
    private readonly X509Certificate2 _ca;

    private TunnelTls(X509Certificate2 certificate, X509Certificate2 ca)
    {
        _certificate = certificate;
        _ca = ca;
    }

    public static TunnelTls Load(string directory)
    {
        var missing = NodeTlsFiles.All.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
        if (missing.Count > 0)
        {
            throw new DriverException(
                $"The migration tunnel needs this node's platform certificate in {directory}; missing: {string.Join(", ", missing)}.",
                isTransient: false);
        }

        var certificate = X509Certificate2.CreateFromPemFile(
            Path.Combine(directory, NodeTlsFiles.ServerCertificate), Path.Combine(directory, NodeTlsFiles.ServerKey));
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, NodeTlsFiles.CaCertificate));
        return new TunnelTls(certificate, ca);
    }

    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = _certificate,
        ClientCertificateRequired = true,
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusted(certificate, hostname: null),
    };

    public SslClientAuthenticationOptions ClientOptions(string targetHostname) => new()
    {
        TargetHost = targetHostname,
        ClientCertificates = [_certificate],
        EnabledSslProtocols = Protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusted(certificate, targetHostname),
    };

    public void Dispose()
    {
        _certificate.Dispose();
        _ca.Dispose();
    }

    private bool Trusted(X509Certificate? presented, string? hostname)
    {
        if (presented is null)
        {
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate) && (hostname is null || certificate.MatchesHostname(hostname));
    }
}
