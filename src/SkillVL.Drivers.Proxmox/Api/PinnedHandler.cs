using System.Net.Security;
using System.Security.Authentication;

namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// An HTTP handler that trusts exactly one certificate, by fingerprint, and no CA: a PVE node's certificate is signed by
/// its cluster's own CA, which this machine does not (and should not) trust. It remembers what a refused server presented,
/// so the error can print both fingerprints.
/// </summary>
internal sealed class PinnedHandler : DelegatingHandler
{
    private readonly CertificatePin pin;

    public PinnedHandler(CertificatePin pin, TimeSpan connectTimeout)
    {
        this.pin = pin;
        InnerHandler = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            // A console websocket must reach the node that answered vncproxy (NOTES.md §3): one connection pool per
            // client keeps requests on the address given, no redirects to elsewhere.
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    if (pin.Matches(certificate))
                    {
                        return true;
                    }

                    Presented = certificate is null ? "no certificate" : CertificatePin.Of(certificate).Display;
                    return false;
                },
            },
        };
    }

    /// <summary>The fingerprint of the last certificate refused, or null.</summary>
    public string? Presented { get; private set; }

    public string Pinned => pin.Display;
}
