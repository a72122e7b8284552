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

    private readonly ConcurrentDictionary<string, Tunnel> _incoming = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Tunnel> _outgoing = new(StringComparer.Ordinal);
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
        var tunnel = new Tunnel(vmId, tls, [listener], []);
        _incoming[vmId] = tunnel;
        tunnel.Track(AcceptLoopAsync(tunnel, listener, socket => ServeIncomingAsync(tunnel, socket, token, sockets, level)));
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
        var opened = channels ?? Channels;
        await CloseOutgoingAsync(vmId);
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

        var tunnel = new Tunnel(vmId, tls, listeners, files);
        _outgoing[vmId] = tunnel;
        for (var i = 0; i < opened.Count; i++)
        {
            var channel = opened[i];
            tunnel.Track(AcceptLoopAsync(tunnel, listeners[i], local => ServeOutgoingAsync(tunnel, local, channel, host, port, token, tlsHostname, level)));
        }

        _logger.OutgoingOpened(vmId, host, port, directory, level);
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
    /// fail at once. No-op without one.</summary>
    public Task CloseOutgoingAsync(string vmId) => CloseAsync(_outgoing, vmId, TimeSpan.Zero);

    /// <summary>
    /// After a completed migration: takes no new connections and waits up to <paramref name="timeout"/> for the open ones
    /// to end by themselves, then closes. QEMU reports completed once it has written the last byte to its socket, which
    /// may still be on its way through the tunnel; aborting then would cut the target's state short.
    /// </summary>
    public Task DrainOutgoingAsync(string vmId, TimeSpan timeout) => CloseAsync(_outgoing, vmId, timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var vmId in _incoming.Keys)
        {
            await CloseIncomingAsync(vmId);
        }

        foreach (var vmId in _outgoing.Keys)
        {
            await CloseOutgoingAsync(vmId);
        }
    }

    private async Task CloseAsync(ConcurrentDictionary<string, Tunnel> tunnels, string vmId, TimeSpan drain)
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

    private static async Task AcceptLoopAsync(Tunnel tunnel, Socket listener, Func<Socket, Task> serve)
    {
        while (!tunnel.Stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(tunnel.Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            tunnel.Own(accepted);
            tunnel.Track(serve(accepted));
        }
    }

    private async Task ServeIncomingAsync(
        Tunnel tunnel, Socket tcp, string token, IReadOnlyDictionary<string, string> sockets, int level)
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
        Tunnel tunnel, Socket local, string channel, string host, int port, string token, string tlsHostname, int level)
    {
        try
        {
            var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            tunnel.Own(tcp);
            SslStream ssl;
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
                    throw new IOException($"the target's tunnel refused the {channel} channel: {answer}");
                }
            }

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

    /// <summary>What ends one tunnel connection (a peer gone, refused or misbehaving, or the tunnel closed) without
    /// concerning the others.</summary>
    private static bool EndsTheConnection(Exception e) =>
        e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException or ZstdSharp.ZstdException;

    /// <summary>One VM's tunnel in one direction: its listeners, every socket it opened or accepted, its tasks.</summary>
    private sealed class Tunnel(string vmId, TunnelTls tls, IReadOnlyList<Socket> listeners, IReadOnlyList<string> files) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
        private readonly ConcurrentDictionary<Task, byte> _tasks = new();

        public string VmId => vmId;

        public TunnelTls Tls => tls;

        public TunnelCounters Counters { get; } = new();

        public CancellationToken Stopping => _stop.Token;

        public void Own(Socket socket)
        {
            _sockets[socket] = 0;
            if (_stop.IsCancellationRequested)
            {
                socket.Dispose();
            }
        }

        public void Track(Task task)
        {
            _tasks[task] = 0;
            _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
        }

        public async Task DrainAsync(TimeSpan timeout)
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }

            try
            {
                await Task.WhenAll(_tasks.Keys).WaitAsync(timeout);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException)
            {
                // What is still open after the wait is aborted by the close that follows.
            }
        }

        public async Task CloseAsync(TimeSpan timeout)
        {
            await _stop.CancelAsync();
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }

            foreach (var socket in _sockets.Keys)
            {
                socket.Dispose();
            }

            try
            {
                await Task.WhenAll(_tasks.Keys).WaitAsync(timeout);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException)
            {
                // Tasks end on their own once their sockets are gone; nothing waits for them any more.
            }

            foreach (var file in files)
            {
                File.Delete(file);
            }

            Dispose();
        }

        public void Dispose()
        {
            tls.Dispose();
            _stop.Dispose();
        }
    }
}
