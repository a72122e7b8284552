using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SkillVL.Drivers.Qemu.Migration.Tunnel;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// A hub's relay listener (ADR 0019): one TCP port on the node's underlay address for every relayed network. A
/// connection is attached only when its TLS client certificate chains to the platform CA (<see cref="TunnelTls"/>),
/// the certificate names a node (DNS subjectAltName), and that node is listed for the network the hello names
/// (<see cref="SetNetworkAsync"/>). Anything else is answered <c>ERR</c>, logged and closed: a client reaches only the
/// networks the Server gave it. Each attached connection gets a tap of its own on the network's bridge, which goes
/// away with the connection (a non-persistent tap), so a crashed agent leaves no port behind.
/// </summary>
internal sealed class RelayHubListener : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly string _tlsDirectory;
    private readonly RelayTimings _timings;
    private readonly Func<string, string, int, RelayCounters, Task<RelayPort>> _openPort;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, HubNetwork> _networks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HubConnection> _connections = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private long _refusals;

    /// <param name="socket">Bound and listening (created by the caller in the node's network namespace).</param>
    /// <param name="openPort">Makes the tap port (name, network id, MTU, counters) of one attached client on the network's bridge.</param>
    public RelayHubListener(
        Socket socket, string tlsDirectory, RelayTimings timings, Func<string, string, int, RelayCounters, Task<RelayPort>> openPort, ILogger logger)
    {
        _socket = socket;
        _tlsDirectory = tlsDirectory;
        _timings = timings;
        _openPort = openPort;
        _logger = logger;
        var endpoint = (IPEndPoint)socket.LocalEndPoint!;
        Address = endpoint.Address.ToString();
        Port = endpoint.Port;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));
        _logger.HubListening(Address, Port);
    }

    public string Address { get; }

    public int Port { get; }

    /// <summary>Connections refused so far (bad certificate, unknown network, client not listed, bad hello).</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    public bool HasNetworks => !_networks.IsEmpty;

    /// <summary>The clients attached now: (network id, client node, counters).</summary>
    public IReadOnlyList<(string NetworkId, string Client, RelayCounters Counters)> Attached =>
        _connections.Values.Select(c => (c.NetworkId, c.Client, c.Counters)).ToList();

    /// <summary>Relays <paramref name="networkId"/> for exactly <paramref name="clients"/>; a client dropped from the
    /// list (or every client, when the MTU changes) is detached at once.</summary>
    public async Task SetNetworkAsync(string networkId, int mtu, IReadOnlyCollection<string> clients)
    {
        var wanted = new HubNetwork(mtu, clients.ToHashSet(StringComparer.Ordinal));
        var previous = _networks.TryGetValue(networkId, out var p) ? p : null;
        _networks[networkId] = wanted;
        await DetachAsync(c => c.NetworkId == networkId && (previous is null || previous.Mtu != mtu || !wanted.Clients.Contains(c.Client)));
    }

    /// <summary>Stops relaying <paramref name="networkId"/> and detaches its clients.</summary>
    public async Task RemoveNetworkAsync(string networkId)
    {
        _networks.TryRemove(networkId, out _);
        await DetachAsync(c => c.NetworkId == networkId);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await DetachAsync(_ => true);
        await _acceptLoop.WaitAsync(StopTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
        _logger.HubClosed(Address, Port);
    }

    private async Task DetachAsync(Func<HubConnection, bool> which)
    {
        foreach (var connection in _connections.Values.Where(which).ToList())
        {
            await connection.Cancel.CancelAsync();
            await connection.Done.Task.WaitAsync(StopTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            accepted.NoDelay = true;
            _ = Task.Run(() => ServeAsync(accepted, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        string networkId;
        string client;
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            handshake.CancelAfter(_timings.ConnectTimeout);
            using (var credentials = TunnelTls.Load(_tlsDirectory))
            {
                // Fails unless the client's certificate chains to the platform CA (system CAs count for nothing).
                await tls.AuthenticateAsServerAsync(credentials.ServerOptions(), handshake.Token);
            }

            var names = RelayCertificateNames.DnsNames(tls.RemoteCertificate);
            var line = await TunnelGreeting.ReadLineAsync(tls, handshake.Token);
            networkId = RelayProtocol.NetworkOf(line) ?? "?";
            var refusal = Check(networkId, names, out client);
            if (refusal is not null)
            {
                Interlocked.Increment(ref _refusals);
                _logger.HubRefused(remote, string.Join(',', names), networkId, refusal);
                await TunnelGreeting.WriteLineAsync(tls, "ERR " + refusal, handshake.Token);
                return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException
                                      or Core.Errors.DriverException or System.Security.Cryptography.CryptographicException)
        {
            // Mostly a certificate that does not chain to the platform CA: TLS fails before any hello.
            Interlocked.Increment(ref _refusals);
            _logger.HubHandshakeFailed(remote, e.Message);
            return;
        }

        await AttachAsync(tls, networkId, client, cancellationToken);
    }

    /// <summary>Why <paramref name="names"/> may not attach to <paramref name="networkId"/> here, or null (and the
    /// client's name) when it may.</summary>
    private string? Check(string networkId, IReadOnlyList<string> names, out string client)
    {
        client = "";
        if (networkId == "?")
        {
            return "not a relay hello (" + RelayProtocol.Version + " <network>)";
        }

        if (!_networks.TryGetValue(networkId, out var network))
        {
            return $"network {networkId} is not relayed by this node";
        }

        var listed = names.FirstOrDefault(network.Clients.Contains);
        if (listed is null)
        {
            return $"no node named in this certificate is a client of network {networkId}";
        }

        client = listed;
        return null;
    }

    private async Task AttachAsync(SslStream tls, string networkId, string client, CancellationToken cancellationToken)
    {
        var key = networkId + "/" + client;

        // A client that reconnects before its old connection timed out replaces it (same tap name: the old one must go).
        if (_connections.TryGetValue(key, out var old))
        {
            await old.Cancel.CancelAsync();
            await old.Done.Task.WaitAsync(StopTimeout, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        if (!_networks.TryGetValue(networkId, out var network))
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connection = new HubConnection(networkId, client, cancel, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _connections[key] = connection;
        RelayPort? port = null;
        try
        {
            port = await _openPort(InterfaceNames.RelayHubTap(networkId, client), networkId, network.Mtu, connection.Counters);
            await TunnelGreeting.WriteLineAsync(tls, RelayProtocol.Accepted, cancel.Token);
            connection.Counters.Connected();
            _logger.HubClientAttached(client, networkId, port.TapName);
            var reason = await port.RunAsync(tls, cancel.Token);
            _logger.HubClientDetached(client, networkId, reason);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Core.Errors.DriverException)
        {
            _logger.HubClientDetached(client, networkId, e.Message);
        }
        finally
        {
            port?.Dispose();
            _connections.TryRemove(new KeyValuePair<string, HubConnection>(key, connection));
            connection.Done.TrySetResult();
        }
    }

    private sealed record HubNetwork(int Mtu, HashSet<string> Clients);

    private sealed record HubConnection(string NetworkId, string Client, CancellationTokenSource Cancel, TaskCompletionSource Done)
    {
        public RelayCounters Counters { get; } = new();
    }
}
