using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Migration.Tunnel;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// Opens a client's relay connection: TCP outward to the hub, TLS with this node's platform certificate (the migration
/// tunnel's <see cref="TunnelTls"/>: the hub's certificate must chain to the platform CA and name the hub's address),
/// then checks that it also names the hub's node, sends the hello and reads the answer.
/// </summary>
internal sealed class RelayConnector(string tlsDirectory, RelayTimings timings, Func<Func<Socket>, Socket> inNamespace)
{
    /// <summary>A stream attached to <paramref name="networkId"/> at the hub.</summary>
    /// <exception cref="RelayRefusedException">The hub refused this node for the network, or is not the node named.</exception>
    /// <exception cref="IOException">TCP or TLS failed, or the hub did not answer within <see cref="RelayTimings.ConnectTimeout"/>.</exception>
    public async Task<Stream> ConnectAsync(string networkId, NetworkRelay hub, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(timings.ConnectTimeout);

        // The socket belongs to the network namespace it is created in (the node's; tests run nodes in namespaces).
        var socket = inNamespace(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        SslStream? tls = null;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(hub.HubAddress), hub.HubPort), timeout.Token);
            using var credentials = TunnelTls.Load(tlsDirectory);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(credentials.ClientOptions(hub.HubAddress), timeout.Token);
            if (!RelayCertificateNames.DnsNames(tls.RemoteCertificate).Contains(hub.HubNodeName, StringComparer.Ordinal))
            {
                throw new RelayRefusedException($"the relay at {hub.HubAddress}:{hub.HubPort} is not node {hub.HubNodeName} (its certificate does not name it)");
            }

            await TunnelGreeting.WriteLineAsync(tls, RelayProtocol.Hello(networkId), timeout.Token);
            var answer = await TunnelGreeting.ReadLineAsync(tls, timeout.Token);
            if (answer != RelayProtocol.Accepted)
            {
                throw new RelayRefusedException($"hub {hub.HubNodeName} refused: {answer}");
            }

            return tls;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Dispose(socket, tls);
            throw new IOException($"no answer from the relay at {hub.HubAddress}:{hub.HubPort} within {timings.ConnectTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is SocketException or System.Security.Authentication.AuthenticationException)
        {
            Dispose(socket, tls);
            throw new IOException($"relay at {hub.HubAddress}:{hub.HubPort}: {e.Message}", e);
        }
        catch
        {
            Dispose(socket, tls);
            throw;
        }
    }

    private static void Dispose(Socket socket, SslStream? tls)
    {
        tls?.Dispose();
        socket.Dispose();
    }
}
