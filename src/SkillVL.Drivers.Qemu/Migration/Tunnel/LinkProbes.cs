using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// The link probe between two nodes before a migration (ADR 0012, "Measuring before the plan"): the target opens a
/// short-lived endpoint — TLS with the node's platform certificate, CA-only trust, a per-probe random token, the
/// tunnel's greeting with the <see cref="Channel"/> channel — and the source measures against it over one connection:
/// <list type="number">
/// <item>RTT: the median of <see cref="Pings"/> one-byte round trips (TLS records, so a few µs of crypto on top of the
/// network's RTT);</item>
/// <item>bandwidth: random (incompressible) data in <see cref="FrameBytes"/> frames for at most <see cref="SendTime"/>
/// or <see cref="MaxBytes"/>; the target acknowledges each frame with its byte count so far, and the rate is every
/// acknowledged byte over the whole transfer, less one round trip (<see cref="LinkProbeRate"/>). It is goodput: payload bytes, without TCP/IP and TLS headers (~5 % at MTU 1500). Nothing is compressed:
/// the probe measures the raw link.</item>
/// </list>
/// Loss is not measured (reported as 0): TCP hides it, and a few seconds of traffic could not estimate a rate of 1 %
/// honestly. An endpoint closes itself after its lifetime even if no source ever comes.
/// </summary>
public sealed class LinkProbes : IAsyncDisposable
{
    /// <summary>The greeting's channel name.</summary>
    public const string Channel = "probe";

    /// <summary>How long an endpoint waits for the source, at most, before it closes itself.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>How long the bulk transfer sends, at most.</summary>
    public static readonly TimeSpan SendTime = TimeSpan.FromSeconds(2);

    /// <summary>How much the bulk transfer sends, at most (a fast LAN reaches it well before <see cref="SendTime"/>).</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>Round trips for the RTT; the median ignores a few slow ones (the first pays for the connection's warm-up).</summary>
    public const int Pings = 10;

    /// <summary>Bytes per bulk frame: large enough that the acknowledgements are a small part of the return traffic,
    /// small enough that a 1 Mbit/s link acknowledges several a second.</summary>
    public const int FrameBytes = 64 << 10;

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Bounds the whole probe on the source (connect, handshake, pings, transfer, drain) and one session on the target.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, Endpoint> _open = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly LinkProbeProtocol _protocol;
    private readonly ILogger _logger;

    public LinkProbes(TimeProvider time, ILogger<LinkProbes> logger)
    {
        _time = time;
        _protocol = new LinkProbeProtocol(time);
        _logger = logger;
    }

    /// <summary>Target: listens on <paramref name="listenAddress"/> (a random port) for the probe of
    /// <paramref name="probeId"/> until <see cref="CloseAsync"/> or <paramref name="lifetime"/>. Replaces an earlier
    /// endpoint of the same id. With <paramref name="sends"/> (reverse mode, ADR 0020) this is the source's endpoint:
    /// the target dials it and answers, this node measures and sends it the result.</summary>
    public async Task<(int Port, string Token)> OpenAsync(string probeId, string listenAddress, string tlsDirectory, TimeSpan lifetime, bool sends = false)
    {
        await CloseAsync(probeId);
        var tls = TunnelTls.Load(tlsDirectory);
        var address = IPAddress.Parse(listenAddress);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, 0));
            listener.Listen(4);
        }
        catch
        {
            listener.Dispose();
            tls.Dispose();
            throw;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var endpoint = new Endpoint(probeId, tls, listener, token, sends);
        _open[probeId] = endpoint;
        endpoint.Track(AcceptLoopAsync(endpoint));
        // Not tracked: closing waits for the tracked tasks, and the expiry is what may close.
        _ = ExpireAsync(endpoint, lifetime);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _logger.ProbeOpened(probeId, listenAddress, port, lifetime.TotalSeconds);
        return (port, token);
    }

    public bool IsOpen(string probeId) => _open.ContainsKey(probeId);

    /// <summary>Target: stops the endpoint and aborts its connection. No-op without one.</summary>
    public Task CloseAsync(string probeId) =>
        _open.TryRemove(probeId, out var endpoint) ? CloseCoreAsync(endpoint, "closed") : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _open.Keys)
        {
            await CloseAsync(id);
        }
    }

    /// <summary>Source: measures the link to the target's endpoint; bounded by <see cref="ProbeTimeout"/>. With
    /// <paramref name="reverse"/> this is the target dialling the source's endpoint: it answers, and returns the source's
    /// measurement.</summary>
    /// <exception cref="DriverException">The endpoint refused (wrong token), was not there, or nothing crossed in time.</exception>
    public async Task<LinkMeasurement> ProbeAsync(
        string host, int port, string token, string tlsHostname, string tlsDirectory, CancellationToken cancellationToken, bool reverse = false)
    {
        using var tls = TunnelTls.Load(tlsDirectory);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(ProbeTimeout);
        var ct = bound.Token;
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            handshake.CancelAfter(HandshakeTimeout);
            using var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await tcp.ConnectAsync(IPAddress.Parse(host), port, handshake.Token);
            await using var ssl = new SslStream(new NetworkStream(tcp, ownsSocket: false));
            await ssl.AuthenticateAsClientAsync(tls.ClientOptions(tlsHostname), handshake.Token);
            await TunnelGreeting.WriteLineAsync(ssl, TunnelGreeting.Line(token, Channel), handshake.Token);
            var answer = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
            if (answer != "OK")
            {
                throw new DriverException($"The link probe on {host}:{port} refused the connection: {answer}", isTransient: false);
            }

            if (reverse)
            {
                return await _protocol.AnswerAsync(ssl, ct)
                    ?? throw new DriverException($"The link probe on {host}:{port} ended without a measurement.", isTransient: true);
            }

            var (measurement, sent, acked) = await _protocol.MeasureAsync(ssl, ct);
            _logger.ProbeMeasured(host, port, measurement.RoundTripTime.TotalMilliseconds, measurement.Bandwidth.MegabitsPerSecond, sent, acked);
            return measurement;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DriverException($"The link probe to {host}:{port} did not finish within {ProbeTimeout.TotalSeconds:0} s.", isTransient: true);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            throw new DriverException($"The link probe to {host}:{port} failed: {e.Message}", isTransient: true, e);
        }
    }

    private async Task AcceptLoopAsync(Endpoint endpoint)
    {
        while (!endpoint.Stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await endpoint.Listener.AcceptAsync(endpoint.Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            endpoint.Own(accepted);
            endpoint.Track(ServeAsync(endpoint, accepted));
        }
    }

    private async Task ServeAsync(Endpoint endpoint, Socket tcp)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(endpoint.Stopping);
        session.CancelAfter(ProbeTimeout);
        var ct = session.Token;
        try
        {
            tcp.NoDelay = true;
            await using var ssl = new SslStream(new NetworkStream(tcp, ownsSocket: true));
            string line;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                handshake.CancelAfter(HandshakeTimeout);
                await ssl.AuthenticateAsServerAsync(endpoint.Tls.ServerOptions(), handshake.Token);
                line = await TunnelGreeting.ReadLineAsync(ssl, handshake.Token);
            }

            if (TunnelGreeting.Accept(line, endpoint.Token) != Channel)
            {
                await TunnelGreeting.WriteLineAsync(ssl, "ERR not this migration's link probe", ct);
                _logger.ProbeRefused(endpoint.Id, "wrong greeting, token or channel");
                return;
            }

            await TunnelGreeting.WriteLineAsync(ssl, "OK", ct);
            if (!endpoint.Sends)
            {
                await _protocol.AnswerAsync(ssl, ct);
                return;
            }

            // Reverse (ADR 0020): this endpoint is the source; the target dialled in and answers.
            var remote = tcp.RemoteEndPoint?.ToString() ?? "?";
            var (measurement, sent, acked) = await _protocol.MeasureAsync(ssl, ct);
            _logger.ProbeMeasured(remote, 0, measurement.RoundTripTime.TotalMilliseconds, measurement.Bandwidth.MegabitsPerSecond, sent, acked);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException)
        {
            // The source went away, was refused by TLS, or the endpoint closed: nothing else depends on this session.
            _logger.ProbeSessionEnded(endpoint.Id, e.Message);
        }
        finally
        {
            tcp.Dispose();
        }
    }

    /// <summary>Closes the endpoint after its lifetime, if it is still the open one for its id.</summary>
    private async Task ExpireAsync(Endpoint endpoint, TimeSpan lifetime)
    {
        try
        {
            await Task.Delay(lifetime, _time, endpoint.Stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_open.TryRemove(new KeyValuePair<string, Endpoint>(endpoint.Id, endpoint)))
        {
            await CloseCoreAsync(endpoint, $"expired after {lifetime.TotalSeconds:0} s");
        }
    }

    private async Task CloseCoreAsync(Endpoint endpoint, string reason)
    {
        await endpoint.CloseAsync(TimeSpan.FromSeconds(5));
        _logger.ProbeClosed(endpoint.Id, reason);
    }

    /// <summary>One open endpoint: its listener, the sockets it accepted, its tasks.</summary>
    private sealed class Endpoint(string id, TunnelTls tls, Socket listener, string token, bool sends) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
        private readonly ConcurrentDictionary<Task, byte> _tasks = new();

        public string Id => id;

        public TunnelTls Tls => tls;

        public Socket Listener => listener;

        public string Token => token;

        /// <summary>Reverse mode: this endpoint measures and the dialler answers.</summary>
        public bool Sends => sends;

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

        public async Task CloseAsync(TimeSpan timeout)
        {
            await _stop.CancelAsync();
            listener.Dispose();
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
                // Tasks end on their own once their sockets are gone.
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
