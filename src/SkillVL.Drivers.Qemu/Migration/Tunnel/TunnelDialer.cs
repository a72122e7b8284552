using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The tunnel's outgoing TLS connections. Forward (ADR 0013): the source dials the target's tunnel per QEMU connection
/// (<see cref="DialTargetAsync"/>). Reverse, the target's end (ADR 0020): every connection is opened here, outward, to the source's
/// <see cref="TunnelRendezvous"/>, so a target behind NAT receives a migration. Each of <see cref="ParkedPerChannel"/>
/// loops per channel dials (TLS, CA-only trust, the source's name checked against its certificate), presents the
/// token and the channel, and parks until the source says <see cref="TunnelRendezvous.Go"/>; then it joins the
/// connection to the channel's QEMU unix socket, confirms, leaves it piping (<see cref="TunnelPipe"/>) and dials the
/// next. A failed dial is retried, 1 s apart doubling to 5 s, until the tunnel is closed: the source's
/// <see cref="TunnelRendezvous.WaitForTargetAsync"/> decides when that took too long.
/// </summary>
internal static class TunnelDialer
{
    /// <summary>Parked connections per channel: QEMU's NBD client and its migration stream each take one, and the
    /// second is the replacement ready while the first is taken (a reconnect, or multifd's extra channels, do not wait
    /// for a dial and a TLS handshake across the client's link).</summary>
    public const int ParkedPerChannel = 2;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RetryFirst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(5);

    /// <summary>
    /// TCP keep-alive on a parked connection, both ends: the RAM channel may wait minutes for the disk; probes every
    /// 15 s keep a NAT's mapping and find a dead link within about 30 s, so the source skips that connection.
    /// </summary>
    public static void KeepAlive(Socket tcp)
    {
        tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        tcp.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 15);
        tcp.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
        tcp.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
    }

    /// <summary>Forward mode (ADR 0013), the source's side: the TLS connection for one channel of QEMU's, dialled to the
    /// target's tunnel, greeted, and accepted by its OK.</summary>
    public static async Task<(Socket Tcp, SslStream Ssl)> DialTargetAsync(
        TunnelSession tunnel, string channel, string host, int port, string token, string tlsHostname, CancellationToken cancellationToken)
    {
        var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        tunnel.Own(tcp);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(HandshakeTimeout);
        await tcp.ConnectAsync(IPAddress.Parse(host), port, handshake.Token);
        var ssl = new SslStream(new NetworkStream(tcp, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsClientAsync(tunnel.Tls.ClientOptions(tlsHostname), handshake.Token);
            await TunnelGreeting.WriteLineAsync(ssl, TunnelGreeting.Line(token, channel), handshake.Token);
            var answer = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
            if (answer != "OK")
            {
                throw new IOException($"the target's tunnel refused the {channel} channel: {answer}");
            }

            return (tcp, ssl);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>One parking loop of <paramref name="channel"/>, until the tunnel stops.</summary>
    public static async Task RunAsync(
        TunnelSession tunnel, string channel, string host, int port, string token, string tlsHostname, string socketPath, int level, ILogger logger)
    {
        var retry = RetryFirst;
        while (!tunnel.Stopping.IsCancellationRequested)
        {
            SslStream? ssl = null;
            try
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                tunnel.Own(tcp);
                KeepAlive(tcp);
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(tunnel.Stopping))
                {
                    handshake.CancelAfter(HandshakeTimeout);
                    await tcp.ConnectAsync(IPAddress.Parse(host), port, handshake.Token);
                    ssl = new SslStream(new NetworkStream(tcp, ownsSocket: true));
                    await ssl.AuthenticateAsClientAsync(tunnel.Tls.ClientOptions(tlsHostname), handshake.Token);
                    await TunnelGreeting.WriteLineAsync(ssl, TunnelGreeting.Line(token, channel), handshake.Token);
                    var answer = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
                    if (answer != "OK")
                    {
                        throw new IOException($"the source's rendezvous refused the {channel} channel: {answer}");
                    }
                }

                retry = RetryFirst;

                // Parked: as long as the source needs (keep-alive finds a dead link); then joined to QEMU, confirmed.
                var go = await TunnelGreeting.ReadLineAsync(ssl, tunnel.Stopping);
                if (go != TunnelRendezvous.Go)
                {
                    throw new IOException($"the source's rendezvous sent '{go}' instead of go");
                }

                var local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                tunnel.Own(local);
                await local.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), tunnel.Stopping);
                await TunnelGreeting.WriteLineAsync(ssl, TunnelRendezvous.Go, tunnel.Stopping);
                tunnel.Track(PipeAsync(tunnel, local, ssl, channel, level, logger));
                ssl = null;
            }
            catch (Exception e) when (MigrationTunnels.EndsTheConnection(e))
            {
                if (ssl is not null)
                {
                    await ssl.DisposeAsync();
                }

                if (tunnel.Stopping.IsCancellationRequested)
                {
                    return;
                }

                logger.DialFailed(tunnel.VmId, channel, host, port, e.Message, retry.TotalSeconds);
                try
                {
                    await Task.Delay(retry, tunnel.Stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, RetryMax.Ticks));
            }
        }
    }

    private static async Task PipeAsync(TunnelSession tunnel, Socket local, SslStream ssl, string channel, int level, ILogger logger)
    {
        try
        {
            await TunnelPipe.RunAsync(local, ssl, level, tunnel.Counters, tunnel.Stopping);
            logger.ConnectionEnded(tunnel.VmId, channel, "closed");
        }
        catch (Exception e) when (MigrationTunnels.EndsTheConnection(e))
        {
            logger.ConnectionEnded(tunnel.VmId, channel, e.Message);
        }
    }
}
