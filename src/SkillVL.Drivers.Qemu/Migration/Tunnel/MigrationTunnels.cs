using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>Where the target's tunnel waits: a TCP port on the target's address and the secret for this migration.</summary>
public sealed record TunnelEndpoint(int Port, string Token);

/// <summary>
/// This node's migration tunnels (ADR 0013), one per migrating VM and direction. On the target, a TLS listener
/// accepts the source's connections — each names its channel (<see cref="NbdChannel"/> or <see cref="RamChannel"/>)
/// and presents the migration's token — and joins each to the QEMU unix socket of that channel. On the source, a unix
/// socket per channel in the VM's runtime directory (mode 0600) is where QEMU connects; each connection is carried to
/// the target over its own TLS connection. Both directions are zstd-compressed (<see cref="TunnelPipe"/>). Closing a
/// tunnel aborts its connections at once, so QEMU on that node sees the error immediately — also when the link is cut
/// and TCP would wait for minutes. Tunnels live in this process: after a restart they are gone and the migration fails
/// (the engine cancels it; the VM stays on the source).
/// </summary>
public sealed class MigrationTunnels : IAsyncDisposable
{
    public const string NbdChannel = "nbd";
    public const string RamChannel = "ram";

    /// <summary>A check-out's background sync into the server node's retained copy (NBD; ADR 0021).</summary>
    public const string SyncChannel = "sync";
    private static readonly string[] Channels = [NbdChannel, RamChannel];
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a rendezvous waits for the mirror to use it: the target's prepare (a template fetch over a slow
    /// client link included) fits well within it.</summary>
    public static readonly TimeSpan RendezvousLifetime = TimeSpan.FromMinutes(30);

    private readonly ConcurrentDictionary<string, TunnelSession> _incoming = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TunnelSession> _outgoing = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TunnelRendezvous> _rendezvous = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public MigrationTunnels(ILogger<MigrationTunnels> logger)
    {
        _logger = logger;
    }

    /// <summary>The source's unix socket of <paramref name="channel"/> for a VM whose runtime directory is <paramref name="directory"/>.</summary>
    public static string OutgoingSocket(string directory, string channel) => Path.Combine(directory, $"tunnel-{channel}.sock");

    /// <summary>Target: listens on <paramref name="listenAddress"/> for the source's connections and joins each to
    /// the QEMU socket of its channel. Replaces an earlier tunnel of the VM.</summary>
    /// <param name="sockets">QEMU's unix socket for each channel.</param>
    public async Task<TunnelEndpoint> OpenIncomingAsync(
        string vmId, string listenAddress, IReadOnlyDictionary<string, string> sockets, int level, string tlsDirectory)
    {
        await CloseIncomingAsync(vmId);
        var tls = TunnelTls.Load(tlsDirectory);
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            var address = IPAddress.Parse(listenAddress);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                listener.Dispose();
                listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            }

            listener.Bind(new IPEndPoint(address, 0));
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            tls.Dispose();
            throw;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var tunnel = new TunnelSession(vmId, tls, [listener], []);
        _incoming[vmId] = tunnel;
        tunnel.Track(tunnel.AcceptLoopAsync(listener, socket => ServeIncomingAsync(tunnel, socket, token, sockets, level)));
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _logger.IncomingOpened(vmId, listenAddress, port, level);
        return new TunnelEndpoint(port, token);
    }

    /// <summary>Source: opens a unix socket per channel in <paramref name="directory"/> (see <see cref="OutgoingSocket"/>);
    /// each connection QEMU makes there is carried to the target's tunnel. Replaces an earlier tunnel of the VM.</summary>
    /// <param name="channels">The channels to open; a migration's (<see cref="NbdChannel"/>, <see cref="RamChannel"/>) when null.</param>
    public async Task OpenOutgoingAsync(
        string vmId, string host, int port, string token, string tlsHostname, string directory, int level, string tlsDirectory,
        IReadOnlyList<string>? channels = null)
    {
        await OpenOutgoingCoreAsync(vmId, directory, tlsDirectory, (session, channel) =>
            (ct => TunnelDialer.DialTargetAsync(session, channel, host, port, token, tlsHostname, ct)), level, channels ?? Channels);
        _logger.OutgoingOpened(vmId, host, port, directory, level);
    }

    /// <summary>
    /// Source, reverse mode (ADR 0020): opens this migration's rendezvous on <paramref name="listenAddress"/>, where the
    /// target's tunnel parks its connections. The same migration gets the same rendezvous back; another one's is replaced.
    /// </summary>
    /// <param name="lifetime">How long it waits, at most, for the mirror to start using it (<see cref="OpenOutgoingReverseAsync"/>)
    /// before it closes itself, should the Server never come back to cancel it; <see cref="RendezvousLifetime"/> by default.</param>
    public async Task<TunnelEndpoint> OpenRendezvousAsync(
        string migrationId, string vmId, string listenAddress, string tlsDirectory, TimeSpan? lifetime = null)
    {
        if (_rendezvous.TryGetValue(vmId, out var open) && open.MigrationId == migrationId)
        {
            return new TunnelEndpoint(open.Port, open.Token);
        }

        await CloseRendezvousAsync(vmId, keepFor: null);
        var rendezvous = TunnelRendezvous.Open(migrationId, vmId, listenAddress, Channels, TunnelTls.Load(tlsDirectory), _logger);
        _rendezvous[vmId] = rendezvous;
        _ = ExpireRendezvousAsync(vmId, rendezvous, lifetime ?? RendezvousLifetime, rendezvous.Stopping);
        _logger.RendezvousOpened(vmId, migrationId, listenAddress, rendezvous.Port);
        return new TunnelEndpoint(rendezvous.Port, rendezvous.Token);
    }

    /// <summary>Whether the VM has the rendezvous of <paramref name="migrationId"/> open.</summary>
    public bool HasRendezvous(string vmId, string migrationId) =>
        _rendezvous.TryGetValue(vmId, out var open) && open.MigrationId == migrationId;

    /// <summary>
    /// Source, reverse mode: waits (up to <paramref name="waitForTarget"/>) until the target has parked a connection for
    /// every channel at the VM's rendezvous, then opens the unix sockets as <see cref="OpenOutgoingAsync"/> does; each
    /// connection QEMU makes there takes a parked one. Replaces an earlier tunnel of the VM, not the rendezvous.
    /// </summary>
    /// <exception cref="SkillVL.Core.Errors.DriverException">No rendezvous, or the target did not dial in time.</exception>
    public async Task OpenOutgoingReverseAsync(
        string vmId, string migrationId, string directory, int level, string tlsDirectory, TimeSpan waitForTarget, CancellationToken cancellationToken)
    {
        if (!_rendezvous.TryGetValue(vmId, out var rendezvous) || rendezvous.MigrationId != migrationId)
        {
            throw new SkillVL.Core.Errors.DriverException(
                $"VM {vmId}: migration {migrationId} has no rendezvous open on this node (was this node's agent restarted?).", isTransient: false);
        }

        await rendezvous.WaitForTargetAsync(waitForTarget, cancellationToken);
        await OpenOutgoingCoreAsync(vmId, directory, tlsDirectory, (_, channel) => (ct => rendezvous.TakeAsync(channel, ct)), level, Channels);
        _logger.OutgoingReverseOpened(vmId, directory, level);
    }

    /// <summary>
    /// Target, reverse mode: nothing listens here; <see cref="TunnelDialer.ParkedPerChannel"/> connections per channel
    /// are dialled to the source's rendezvous and, once the source uses one, joined to that channel's QEMU socket.
    /// Replaces an earlier tunnel of the VM.
    /// </summary>
    public async Task OpenIncomingDialingAsync(
        string vmId, string host, int port, string token, string tlsHostname, IReadOnlyDictionary<string, string> sockets, int level, string tlsDirectory)
    {
        await CloseIncomingAsync(vmId);
        var tunnel = new TunnelSession(vmId, TunnelTls.Load(tlsDirectory), [], []);
        _incoming[vmId] = tunnel;
        foreach (var (channel, path) in sockets)
        {
            for (var i = 0; i < TunnelDialer.ParkedPerChannel; i++)
            {
                tunnel.Track(TunnelDialer.RunAsync(tunnel, channel, host, port, token, tlsHostname, path, level, _logger));
            }
        }

        _logger.DialingOpened(vmId, host, port, TunnelDialer.ParkedPerChannel, level);
    }

    public bool HasIncoming(string vmId) => _incoming.ContainsKey(vmId);

    public bool HasOutgoing(string vmId) => _outgoing.ContainsKey(vmId);

    /// <summary>What the VM's outgoing tunnel carried so far; null without one.</summary>
    public TunnelCounters? OutgoingCounters(string vmId) => _outgoing.TryGetValue(vmId, out var tunnel) ? tunnel.Counters : null;

    /// <summary>What the VM's incoming tunnel carried so far; null without one.</summary>
    public TunnelCounters? IncomingCounters(string vmId) => _incoming.TryGetValue(vmId, out var tunnel) ? tunnel.Counters : null;

    /// <summary>Stops the listener and aborts every connection of the VM's incoming tunnel. No-op without one.</summary>
    public Task CloseIncomingAsync(string vmId) => CloseAsync(_incoming, vmId, TimeSpan.Zero);

    /// <summary>Removes the VM's outgoing sockets and aborts every connection: QEMU's NBD client and migration stream
    /// fail at once; closes its rendezvous too unless it is <paramref name="keepRendezvousOf"/>'s. No-op without one.</summary>
    public async Task CloseOutgoingAsync(string vmId, string? keepRendezvousOf = null)
    {
        await CloseAsync(_outgoing, vmId, TimeSpan.Zero);
        await CloseRendezvousAsync(vmId, keepRendezvousOf);
    }

    /// <summary>
    /// After a completed migration: takes no new connections and waits up to <paramref name="timeout"/> for the open ones
    /// to end by themselves, then closes. QEMU reports completed once it has written the last byte to its socket, which
    /// may still be on its way through the tunnel; aborting then would cut the target's state short.
    /// </summary>
    public async Task DrainOutgoingAsync(string vmId, TimeSpan timeout)
    {
        await CloseAsync(_outgoing, vmId, timeout);
        await CloseRendezvousAsync(vmId, keepFor: null);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var vmId in _incoming.Keys)
        {
            await CloseIncomingAsync(vmId);
        }

        foreach (var vmId in _outgoing.Keys.Concat(_rendezvous.Keys).Distinct().ToList())
        {
            await CloseOutgoingAsync(vmId);
        }
    }

    /// <summary>What ends one tunnel connection (a peer gone, refused or misbehaving, or the tunnel closed) without
    /// concerning the others.</summary>
    internal static bool EndsTheConnection(Exception e) =>
        e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException or ZstdSharp.ZstdException
            or System.Threading.Channels.ChannelClosedException;

    /// <summary>Closes a rendezvous the mirror never started using within <paramref name="lifetime"/>; once used, the
    /// migration's own end (complete or cancel) closes it.</summary>
    private async Task ExpireRendezvousAsync(string vmId, TunnelRendezvous rendezvous, TimeSpan lifetime, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(lifetime, stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!_outgoing.ContainsKey(vmId) && _rendezvous.TryRemove(new KeyValuePair<string, TunnelRendezvous>(vmId, rendezvous)))
        {
            _logger.RendezvousExpired(vmId, rendezvous.MigrationId, lifetime.TotalSeconds);
            await rendezvous.CloseAsync();
        }
    }

    private async Task CloseRendezvousAsync(string vmId, string? keepFor)
    {
        if (_rendezvous.TryGetValue(vmId, out var open) && open.MigrationId != keepFor
            && _rendezvous.TryRemove(new KeyValuePair<string, TunnelRendezvous>(vmId, open)))
        {
            await open.CloseAsync();
        }
    }

    /// <summary>The unix sockets of an outgoing tunnel; <paramref name="connector"/> gives, per channel, how a connection
    /// QEMU makes there reaches the target.</summary>
    private async Task OpenOutgoingCoreAsync(
        string vmId, string directory, string tlsDirectory,
        Func<TunnelSession, string, Func<CancellationToken, Task<(Socket Tcp, SslStream Ssl)>>> connector, int level, IReadOnlyList<string> opened)
    {
        await CloseAsync(_outgoing, vmId, TimeSpan.Zero);
        var tls = TunnelTls.Load(tlsDirectory);
        var listeners = new List<Socket>();
        var files = new List<string>();
        try
        {
            foreach (var channel in opened)
            {
                var path = OutgoingSocket(directory, channel);
                File.Delete(path);
                var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                listeners.Add(listener);
                listener.Bind(new UnixDomainSocketEndPoint(path));
                files.Add(path);
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                listener.Listen(16);
            }
        }
        catch
        {
            listeners.ForEach(l => l.Dispose());
            files.ForEach(File.Delete);
            tls.Dispose();
            throw;
        }

        var tunnel = new TunnelSession(vmId, tls, listeners, files);
        _outgoing[vmId] = tunnel;
        for (var i = 0; i < opened.Count; i++)
        {
            var channel = opened[i];
            var connect = connector(tunnel, channel);
            tunnel.Track(tunnel.AcceptLoopAsync(listeners[i], local => ServeOutgoingAsync(tunnel, local, channel, connect, level)));
        }
    }

    private async Task CloseAsync(ConcurrentDictionary<string, TunnelSession> tunnels, string vmId, TimeSpan drain)
    {
        if (!tunnels.TryRemove(vmId, out var tunnel))
        {
            return;
        }

        if (drain > TimeSpan.Zero)
        {
            await tunnel.DrainAsync(drain);
        }

        await tunnel.CloseAsync(CloseTimeout);
        var c = tunnel.Counters;
        _logger.Closed(vmId, c.RawSent, c.WireSent, c.WireReceived, c.RawReceived);
    }

    private async Task ServeIncomingAsync(
        TunnelSession tunnel, Socket tcp, string token, IReadOnlyDictionary<string, string> sockets, int level)
    {
        var channel = "?";
        try
        {
            tcp.NoDelay = true;
            var ssl = new SslStream(new NetworkStream(tcp, ownsSocket: true));
            string line;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(tunnel.Stopping))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(tunnel.Tls.ServerOptions(), handshake.Token);
                line = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
            }

            if (TunnelGreeting.Accept(line, token) is not { } named || !sockets.TryGetValue(named, out var path))
            {
                await TunnelGreeting.WriteLineAsync(ssl, "ERR not this migration's tunnel", tunnel.Stopping);
                _logger.Refused(tunnel.VmId, "wrong greeting, token or channel");
                await ssl.DisposeAsync();
                return;
            }

            channel = named;
            var local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            tunnel.Own(local);
            await local.ConnectAsync(new UnixDomainSocketEndPoint(path), tunnel.Stopping);
            await TunnelGreeting.WriteLineAsync(ssl, "OK", tunnel.Stopping);
            await TunnelPipe.RunAsync(local, ssl, level, tunnel.Counters, tunnel.Stopping);
            _logger.ConnectionEnded(tunnel.VmId, channel, "closed");
        }
        catch (Exception e) when (EndsTheConnection(e))
        {
            _logger.ConnectionEnded(tunnel.VmId, channel, e.Message);
        }
        finally
        {
            tcp.Dispose();
        }
    }

    private async Task ServeOutgoingAsync(
        TunnelSession tunnel, Socket local, string channel, Func<CancellationToken, Task<(Socket Tcp, SslStream Ssl)>> connect, int level)
    {
        try
        {
            var (tcp, ssl) = await connect(tunnel.Stopping);
            tunnel.Own(tcp);
            await TunnelPipe.RunAsync(local, ssl, level, tunnel.Counters, tunnel.Stopping);
            _logger.ConnectionEnded(tunnel.VmId, channel, "closed");
        }
        catch (Exception e) when (EndsTheConnection(e))
        {
            _logger.ConnectionEnded(tunnel.VmId, channel, e.Message);
        }
        finally
        {
            local.Dispose();
        }
    }
}
