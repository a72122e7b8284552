using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The source's end of a reverse tunnel (ADR 0020), for a target that nothing can connect to (a client behind NAT). A
/// TLS listener on the source's address takes the target's connections — each authenticated by the platform CA, naming
/// its channel and presenting the migration's token, as in ADR 0013 — and parks them per channel. When QEMU on the
/// source opens a channel's unix socket, <see cref="TakeAsync"/> hands out a parked connection: it writes
/// <see cref="Go"/>, the target joins the connection to its QEMU's socket and answers <see cref="Go"/>, and only then is
/// it piped. The round trip proves the connection alive end to end: one that died while parked (the client's link
/// dropped, a NAT forgot it) is skipped for the next. The target replaces what was taken (<see cref="TunnelDialer"/>).
/// </summary>
internal sealed class TunnelRendezvous
{
    /// <summary>The source's "use this connection now" and the target's "joined to QEMU".</summary>
    public const string Go = "GO";

    /// <summary>A greeting the source accepts but cannot use yet: the parked connections per channel, at most. The target
    /// keeps <see cref="TunnelDialer.ParkedPerChannel"/>; more means a misbehaving holder of the token.</summary>
    private const int MaxParkedPerChannel = 8;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long the target has to answer <see cref="Go"/>: a connect to a local unix socket and one RTT.</summary>
    private static readonly TimeSpan GoTimeout = TimeSpan.FromSeconds(10);

    private readonly TunnelSession _session;
    private readonly Socket _listener;
    private readonly Dictionary<string, Channel<(Socket Tcp, SslStream Ssl)>> _parked;
    private readonly ILogger _logger;

    private TunnelRendezvous(string migrationId, TunnelSession session, Socket listener, IEnumerable<string> channels, ILogger logger)
    {
        MigrationId = migrationId;
        _session = session;
        _listener = listener;
        // Kept, not read from the socket: a rendezvous that closed (expired) while a caller waited on it still names its
        // port in the error instead of throwing ObjectDisposedException from the disposed listener.
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _logger = logger;
        Token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _parked = channels.ToDictionary(c => c, _ => Channel.CreateBounded<(Socket, SslStream)>(MaxParkedPerChannel), StringComparer.Ordinal);
    }

    public string MigrationId { get; }

    public string Token { get; }

    public int Port { get; }

    /// <summary>Cancelled when the rendezvous closes.</summary>
    public CancellationToken Stopping => _session.Stopping;

    /// <summary>Listens on <paramref name="listenAddress"/> (a random port) and starts accepting.</summary>
    public static TunnelRendezvous Open(
        string migrationId, string vmId, string listenAddress, IEnumerable<string> channels, TunnelTls tls, ILogger logger)
    {
        var address = IPAddress.Parse(listenAddress);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, 0));
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            tls.Dispose();
            throw;
        }

        var rendezvous = new TunnelRendezvous(migrationId, new TunnelSession(vmId, tls, [listener], []), listener, channels, logger);
        rendezvous._session.Track(rendezvous._session.AcceptLoopAsync(rendezvous._listener, rendezvous.ParkAsync));
        return rendezvous;
    }

    /// <summary>How many connections are parked for <paramref name="channel"/> now.</summary>
    public int Parked(string channel) => _parked[channel].Reader.Count;

    /// <summary>Waits until the target has parked a connection for every channel: the proof that it reaches this node.</summary>
    /// <exception cref="DriverException">It has not within <paramref name="timeout"/>.</exception>
    public async Task WaitForTargetAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _session.Stopping);
        bound.CancelAfter(timeout);
        try
        {
            while (_parked.Values.Any(p => p.Reader.Count == 0))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), bound.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var missing = string.Join(", ", _parked.Where(p => p.Value.Reader.Count == 0).Select(p => p.Key));
            throw new DriverException(
                $"VM {_session.VmId}: the target did not connect to this node's migration rendezvous (port {Port}) within " +
                $"{timeout.TotalSeconds:0} s (no {missing} connection); can it reach this node's address?", isTransient: false);
        }
    }

    /// <summary>A parked connection of <paramref name="channel"/>, told to go and confirmed by the target; waits for one
    /// (the target replaces what was taken) up to the handshake timeout.</summary>
    public async Task<(Socket Tcp, SslStream Ssl)> TakeAsync(string channel, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _session.Stopping);
        bound.CancelAfter(HandshakeTimeout);
        while (true)
        {
            var (tcp, ssl) = await _parked[channel].Reader.ReadAsync(bound.Token);
            try
            {
                using var go = CancellationTokenSource.CreateLinkedTokenSource(bound.Token);
                go.CancelAfter(GoTimeout);
                await TunnelGreeting.WriteLineAsync(ssl, Go, go.Token);
                var answer = await TunnelGreeting.ReadLineAsync(ssl, go.Token);
                if (answer == Go)
                {
                    return (tcp, ssl);
                }

                _logger.Refused(_session.VmId, $"the target answered '{answer}' to go on the {channel} channel");
            }
            catch (Exception e) when (MigrationTunnels.EndsTheConnection(e) && !bound.IsCancellationRequested)
            {
                // Died while parked: the next one.
                _logger.ConnectionEnded(_session.VmId, channel, "a parked connection was gone: " + e.Message);
            }

            await ssl.DisposeAsync();
        }
    }

    /// <summary>Stops the listener and closes every parked connection (the target sees them end and stops using them).</summary>
    public async Task CloseAsync()
    {
        foreach (var parked in _parked.Values)
        {
            parked.Writer.TryComplete();
        }

        await _session.CloseAsync(TimeSpan.FromSeconds(5));
        foreach (var parked in _parked.Values)
        {
            while (parked.Reader.TryRead(out var connection))
            {
                await connection.Ssl.DisposeAsync();
            }
        }
    }

    private async Task ParkAsync(Socket tcp)
    {
        var ssl = new SslStream(new NetworkStream(tcp, ownsSocket: true));
        try
        {
            tcp.NoDelay = true;
            TunnelDialer.KeepAlive(tcp);
            string line;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_session.Stopping))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(_session.Tls.ServerOptions(), handshake.Token);
                line = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
            }

            if (TunnelGreeting.Accept(line, Token) is not { } channel || !_parked.TryGetValue(channel, out var parked))
            {
                await TunnelGreeting.WriteLineAsync(ssl, "ERR not this migration's rendezvous", _session.Stopping);
                _logger.Refused(_session.VmId, "wrong greeting, token or channel at the rendezvous");
                await ssl.DisposeAsync();
                return;
            }

            // OK first: once parked, the connection is TakeAsync's, which writes to it.
            await TunnelGreeting.WriteLineAsync(ssl, "OK", _session.Stopping);
            if (!parked.Writer.TryWrite((tcp, ssl)))
            {
                _logger.Refused(_session.VmId, $"more than {MaxParkedPerChannel} parked {channel} connections");
                await ssl.DisposeAsync();
            }
        }
        catch (Exception e) when (MigrationTunnels.EndsTheConnection(e))
        {
            _logger.ConnectionEnded(_session.VmId, "rendezvous", e.Message);
            await ssl.DisposeAsync();
        }
    }
}
