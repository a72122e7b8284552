using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SkillVL.Server.Audit;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Consoles;

/// <summary>
/// SPICE for remote-viewer (ADR 0062): each .vv file gets a listener of its own on a loopback port, for its single-use
/// console ticket, which is also the SPICE password in the file. A connection names no machine before its password, so
/// the port does: the proxy opens the machine's SPICE socket, passes the client's link through, swaps the key in QEMU's
/// reply for its own (<see cref="SpiceProxyLink"/>), and checks the password before QEMU sees a ticket. The main channel
/// redeems the ticket and opens a <see cref="SpiceSession"/> as the browser's does (one per machine, bound to the
/// redeeming address, other channels only with the session id QEMU named); a wrong password is told "permission denied"
/// and changes nothing. The listener closes when the ticket expires unused or its session's last channel closes.
/// </summary>
public sealed partial class SpiceFileProxy(
    ConsoleTickets tickets, SpiceSessions spiceSessions, NodeRegistry nodes, UserDirectory users, AuditService audit,
    SpiceFileOptions settings, TimeProvider time, ILogger<SpiceFileProxy> logger) : IAsyncDisposable
{
    /// <summary>Listeners open at once, over all users; and per user.</summary>
    public const int MaxListeners = 64;

    public const int MaxListenersPerUser = 4;

    private static readonly TimeSpan LinkTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, FileListener> _listeners = new(StringComparer.Ordinal);

    private readonly Lock _opening = new();

    /// <summary>The proxy's ticket key: clients encrypt their password for it (SPICE's keys are RSA-1024).</summary>
    private readonly RSA _key = RSA.Create(1024);

    private byte[]? _publicKey;

    private byte[] PublicKey => _publicKey ??= _key.ExportSubjectPublicKeyInfo();

    /// <summary>Opens the listener of a just-issued ticket's file: its address and port, or why not.</summary>
    public (IPEndPoint? EndPoint, string? Refusal) Open(string ticket, ConsoleGrant grant)
    {
        lock (_opening)
        {
            if (_listeners.Count >= MaxListeners)
            {
                return (null, $"{MaxListeners} .vv files are open on this Server now; try again in a minute.");
            }

            if (_listeners.Values.Count(l => l.Grant.UserId == grant.UserId) >= MaxListenersPerUser)
            {
                return (null, $"you have {MaxListenersPerUser} .vv files open; open one of them or wait until they expire (30 s).");
            }

            var socket = new TcpListener(settings.Resolve(), 0);
            socket.Start(SpiceSession.MaxChannels);
            var listener = new FileListener(ticket, grant, socket);
            _listeners[ticket] = listener;
            _ = Task.Run(() => AcceptAsync(listener));
            _ = Task.Run(() => WatchAsync(listener));
            return ((IPEndPoint)socket.LocalEndpoint, null);
        }
    }

    public int Count => _listeners.Count;

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners.Values)
        {
            await listener.StopAsync();
            listener.Dispose();
        }

        _key.Dispose();
    }

    /// <summary>Closes the listener when its ticket expired unredeemed or its session closed.</summary>
    private async Task WatchAsync(FileListener listener)
    {
        try
        {
            while (!listener.Stopping.IsCancellationRequested)
            {
                await Task.Delay(Watch, time, listener.Stopping);
                var over = listener.Redeemed ? !spiceSessions.IsOpen(listener.Ticket) : time.GetUtcNow() > listener.Grant.ExpiresAt;
                if (over)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        _listeners.TryRemove(new(listener.Ticket, listener));
        await listener.StopAsync();
    }

    private async Task AcceptAsync(FileListener listener)
    {
        while (!listener.Stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.Socket.AcceptTcpClientAsync(listener.Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await ServeAsync(listener, client);
                    }
                    catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        LogConnectionEnded(logger, listener.Grant.Target, e.Message);
                    }
                }
            });
        }
    }

    private async Task ServeAsync(FileListener listener, TcpClient client)
    {
        var grant = listener.Grant;
        var address = (client.Client.RemoteEndPoint as IPEndPoint)?.Address;
        var stream = client.GetStream();
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(listener.Stopping);
        handshake.CancelAfter(LinkTimeout);
        var link = await SpiceProxyLink.ReadClientLinkAsync(stream, handshake.Token);
        if (link is null || nodes.Find(grant.Node) is not { Consoles: { } consoles })
        {
            return;
        }

        var channel = link[20];
        var console = await consoles.OpenAsync(grant.VmId, "spice", handshake.Token);
        await using (console)
        {
            await console.WriteAsync(link, handshake.Token);
            var reply = await SpiceProxyLink.ReadReplyAsync(console, handshake.Token);
            if (reply is null)
            {
                return;
            }

            if (SpiceProxyLink.Error(reply) != 0)
            {
                await stream.WriteAsync(reply, handshake.Token);
                return;
            }

            await stream.WriteAsync(SpiceProxyLink.WithPublicKey(reply, PublicKey), handshake.Token);
            if (SpiceProxyLink.AuthSelection(link, reply))
            {
                var mechanism = await SpiceProxyLink.ReadExactAsync(stream, 4, handshake.Token);
                if (mechanism is null || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(mechanism) != SpiceProxyLink.SpiceAuthMechanism)
                {
                    await DenyAsync(stream, grant, address, $"spice file: channel {channel} asked for an auth mechanism other than SPICE's ticket");
                    return;
                }

                await console.WriteAsync(mechanism, handshake.Token);
            }

            var encrypted = await SpiceProxyLink.ReadExactAsync(stream, SpiceProxyLink.EncryptedTicketLength, handshake.Token);
            var password = encrypted is null ? null : SpiceProxyLink.DecryptTicket(_key, encrypted);
            var (spice, refusal) = await AdmitAsync(listener, password, channel, SpiceLink.ConnectionId(link), address, handshake.Token);
            if (spice is null)
            {
                await DenyAsync(stream, grant, address, "spice file: " + refusal);
                return;
            }

            try
            {
                await console.WriteAsync(SpiceProxyLink.EmptyTicketFor(SpiceProxyLink.PublicKey(reply)), handshake.Token);
                var relayed = console;
                if (channel == SpiceLink.MainChannel)
                {
                    // QEMU's link reply is read already: the reader starts after it, at the link result.
                    var reader = new SpiceMainInitReader(SpiceLink.OffersCommonCapability(link, SpiceLink.MiniHeaderCapability));
                    reader.Feed(reply);
                    relayed = new SpiceWatchedStream(console, reader, spice.Named);
                }

                var what = $"spice channel {channel} (remote-viewer)";
                await RecordAsync(grant, address, "opened", what);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var (sent, received) = await PumpAsync(stream, relayed, spice.Session.Token);
                var ended = spice.Session.EndReason is { } reason ? "; ended: " + reason : "";
                await RecordAsync(grant, address, "closed", $"{what}: {clock.Elapsed.TotalSeconds:F0} s, {sent} bytes in, {received} bytes out{ended}");
            }
            finally
            {
                spice.Leave();
            }
        }
    }

    /// <summary>The session a channel with <paramref name="password"/> joins (the main channel redeems the ticket and opens
    /// it), or why not.</summary>
    private async Task<(SpiceSession? Session, string? Refusal)> AdmitAsync(
        FileListener listener, string? password, byte channel, uint connectionId, IPAddress? address, CancellationToken cancellationToken)
    {
        if (password is null || !CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(listener.Ticket)))
        {
            return (null, $"channel {channel}: wrong password");
        }

        SpiceSession? spice;
        if (channel == SpiceLink.MainChannel)
        {
            if (tickets.Redeem(listener.Ticket) is not { } grant)
            {
                return (null, "the file's ticket is used or expired");
            }

            // As at the WebSocket gateway (ADR 0043, 0046): a user disabled or given another role since the file was made opens nothing.
            if (await users.FindByIdAsync(grant.UserId, cancellationToken) is not { DisabledAt: null } current || current.Role != grant.Role)
            {
                return (null, "the account is disabled or its role changed");
            }

            spice = spiceSessions.TryOpen(listener.Ticket, grant, address, out _);
            if (spice is null)
            {
                return (null, "another SPICE console is open on the machine");
            }

            listener.Redeemed = true;
        }
        else if ((spice = spiceSessions.Join(listener.Ticket, address)) is null)
        {
            return (null, $"channel {channel}: no open session of this file admits it");
        }

        if (spice.RefuseLink(channel, channel == SpiceLink.MainChannel, connectionId) is { } refusal)
        {
            spice.Leave();
            return (null, refusal);
        }

        return (spice, null);
    }

    private async Task DenyAsync(Stream client, ConsoleGrant grant, IPAddress? address, string why)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await client.WriteAsync(SpiceProxyLink.Code(SpiceProxyLink.PermissionDenied), timeout.Token);
        await RecordAsync(grant, address, "refused", why);
    }

    private Task RecordAsync(ConsoleGrant grant, IPAddress? address, string outcome, string detail) => audit.AppendAsync(new AuditEntity
    {
        At = time.GetUtcNow(),
        UserId = grant.UserId,
        Username = grant.Username,
        Role = grant.Role,
        Action = "console",
        Target = grant.Target,
        RemoteAddress = address?.ToString(),
        Outcome = outcome,
        Detail = detail,
    });

    /// <summary>Bytes both ways until either end closes or the session ends: (client → QEMU, QEMU → client).</summary>
    private static async Task<(long Sent, long Received)> PumpAsync(Stream client, Stream console, CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long sent = 0, received = 0;
        var up = CopyAsync(client, console, n => sent += n, both.Token);
        var down = CopyAsync(console, client, n => received += n, both.Token);
        await Task.WhenAny(up, down);
        await both.CancelAsync();
        await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
        return (sent, received);
    }

    private static async Task CopyAsync(Stream from, Stream to, Action<int> counted, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            counted(read);
        }
    }

    [LoggerMessage(EventId = 2310, Level = LogLevel.Debug, Message = "SPICE file connection for {Target} ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, string target, string reason);

    /// <summary>One file's listener.</summary>
    private sealed class FileListener(string ticket, ConsoleGrant grant, TcpListener socket) : IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public string Ticket { get; } = ticket;

        public ConsoleGrant Grant { get; } = grant;

        public TcpListener Socket { get; } = socket;

        public CancellationToken Stopping => _stopping.Token;

        private bool _redeemed;

        /// <summary>Whether the main channel redeemed the ticket (the listener then lives as long as the session).</summary>
        public bool Redeemed { get => Volatile.Read(ref _redeemed); set => Volatile.Write(ref _redeemed, value); }

        public async Task StopAsync()
        {
            if (!_stopping.IsCancellationRequested)
            {
                await _stopping.CancelAsync();
                Socket.Stop();
            }
        }

        public void Dispose()
        {
            Socket.Dispose();
            _stopping.Dispose();
        }
    }
}
