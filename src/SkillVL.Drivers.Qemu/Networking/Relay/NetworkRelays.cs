using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Networking;
using SkillVL.LinkEmulator.Linux;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// This node's room-network relays (ADR 0019), driven by <see cref="LinuxBridgeNetworkDriver"/> from the specs: on a
/// client node one outbound link per network (<see cref="NetworkSpec.Relay"/>), on a hub one listener for all its
/// relayed networks (<see cref="NetworkSpec.RelayHub"/>), opened with the first such network and closed with the last,
/// so a node that is no hub listens on nothing. Everything lives in this process: the relay taps are non-persistent and
/// vanish with it; the next agent rebuilds them from the Server's specs.
/// </summary>
public sealed class NetworkRelays : IAsyncDisposable
{
    private readonly IpCommand _ip;
    private readonly InterfaceSysctls _sysctls;
    private readonly string _alias;
    private readonly string _tlsDirectory;
    private readonly RelayTimings _timings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<Action>? _namespaceContext;
    private readonly RelayConnector _connector;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ClientEntry> _clients = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RelayHubListener? _hub;

    /// <param name="tlsDirectory">The node's platform certificate, key and CA (ADR 0011; the migration tunnel's files).</param>
    /// <param name="namespaceContext">Runs socket and tap creation; null: on the calling thread. Sockets and taps belong to
    /// the network namespace they are made in, so the driver tests' simulated nodes pass one that runs inside theirs
    /// (as <see cref="InterfaceSysctls"/> does). An agent runs in its node's namespace and needs none.</param>
    public NetworkRelays(
        QemuDriverOptions options,
        IpCommand ip,
        InterfaceSysctls sysctls,
        string tlsDirectory,
        TimeProvider time,
        ILogger<NetworkRelays> logger,
        RelayTimings? timings = null,
        Action<Action>? namespaceContext = null)
    {
        _ip = ip;
        _sysctls = sysctls;
        _alias = InterfaceNames.Alias(options.InstanceId);
        _tlsDirectory = tlsDirectory;
        _time = time;
        _logger = logger;
        _timings = timings ?? new RelayTimings();
        _namespaceContext = namespaceContext;
        _connector = new RelayConnector(tlsDirectory, _timings, InNamespace);
    }

    /// <summary>Where the hub listens now, or null when this node relays no network (no listening socket at all).</summary>
    public IPEndPoint? HubEndpoint => _hub is { } hub ? new IPEndPoint(IPAddress.Parse(hub.Address), hub.Port) : null;

    /// <summary>Connections the hub refused so far.</summary>
    public long HubRefusals => _hub?.Refusals ?? 0;

    /// <summary>The clients attached to this hub now.</summary>
    public IReadOnlyList<(string NetworkId, string Client, RelayCounters Counters)> HubAttached => _hub?.Attached ?? [];

    /// <summary>The client link of a network, or null when this node relays it to no hub.</summary>
    public RelayLinkStatus? ClientStatus(string networkId) =>
        _clients.TryGetValue(networkId, out var entry) ? entry.Link.Status : null;

    /// <summary>Checks a spec's relay parts before anything is changed.</summary>
    /// <exception cref="ArgumentException">An address, port or name out of range, or a relay together with VXLAN.</exception>
    public static void Validate(NetworkSpec network)
    {
        if (network.Relay is { } relay)
        {
            if (network.Overlay is not null)
            {
                throw new ArgumentException($"Network {network.Id}: a client node joins its network through a relay, never VXLAN as well.", nameof(network));
            }

            if (EndpointProblem("relay hub", relay.HubAddress, relay.HubPort) is { } problem)
            {
                throw new ArgumentException($"Network {network.Id}: {problem}", nameof(network));
            }

            if (string.IsNullOrWhiteSpace(relay.HubNodeName))
            {
                throw new ArgumentException($"Network {network.Id}: the relay hub's node name is missing.", nameof(network));
            }
        }

        if (network.RelayHub is { } hub)
        {
            if (EndpointProblem("relay listener", hub.ListenAddress, hub.Port) is { } problem)
            {
                throw new ArgumentException($"Network {network.Id}: {problem}", nameof(network));
            }

            if (hub.Clients is null || hub.Clients.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException($"Network {network.Id}: the relay's client list has an empty name.", nameof(network));
            }
        }
    }

    /// <summary>Makes this node's relay parts of <paramref name="network"/> what the spec says (the bridge exists).</summary>
    public async Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await EnsureClientAsync(network, cancellationToken);
            await EnsureHubAsync(network);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drops every relay part of the network (before its bridge goes).</summary>
    public Task RemoveAsync(string networkId, CancellationToken cancellationToken) =>
        EnsureAsync(new NetworkSpec(networkId, 1500), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var entry in _clients.Values)
            {
                await entry.DisposeAsync();
            }

            _clients.Clear();
            if (_hub is not null)
            {
                await _hub.DisposeAsync();
                _hub = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureClientAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        if (_clients.TryGetValue(network.Id, out var current))
        {
            if (network.Relay is not null && current.Link.Target == network.Relay && current.Mtu == network.Mtu)
            {
                return;
            }

            await current.DisposeAsync();
            _clients.TryRemove(network.Id, out _);
        }

        if (network.Relay is null)
        {
            return;
        }

        var counters = new RelayCounters();
        var port = await OpenPortAsync(InterfaceNames.RelayClientTap(network.Id), network.Id, network.Mtu, counters, cancellationToken);
        var link = new RelayClientLink(network.Id, network.Relay, port, _connector, _timings, _time, _logger, counters);
        _clients[network.Id] = new ClientEntry(network.Mtu, port, link);
    }

    private async Task EnsureHubAsync(NetworkSpec network)
    {
        if (network.RelayHub is not { } wanted)
        {
            if (_hub is not null)
            {
                await _hub.RemoveNetworkAsync(network.Id);
                await CloseHubIfIdleAsync();
            }

            return;
        }

        var address = IPAddress.Parse(wanted.ListenAddress).ToString();
        if (_hub is not null && (_hub.Address != address || _hub.Port != wanted.Port))
        {
            // The node's underlay address or relay port changed: its clients reconnect to the new one.
            await _hub.DisposeAsync();
            _hub = null;
        }

        _hub ??= new RelayHubListener(Listen(address, wanted.Port), _tlsDirectory, _timings, OpenPortAsync, _logger);
        await _hub.SetNetworkAsync(network.Id, network.Mtu, wanted.Clients);
    }

    private async Task CloseHubIfIdleAsync()
    {
        if (_hub is { HasNetworks: false })
        {
            await _hub.DisposeAsync();
            _hub = null;
        }
    }

    private Socket Listen(string address, int port) => InNamespace(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // A restarted agent must get its port back while the old connections sit in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            socket.Listen(64);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();

            // Address not on this node (yet), or the port taken: the next ensure tries again.
            throw new Core.Errors.DriverException($"The relay listener cannot listen on {address}:{port}: {e.Message}", isTransient: true);
        }
    });

    private Task<RelayPort> OpenPortAsync(string tapName, string networkId, int mtu, RelayCounters counters) =>
        OpenPortAsync(tapName, networkId, mtu, counters, CancellationToken.None);

    /// <summary>A non-persistent tap (gone when its handle closes) made a port of the network's bridge, isolated like a
    /// VM's tap: no IPv6 on it, nothing of the host's on it.</summary>
    private async Task<RelayPort> OpenPortAsync(string tapName, string networkId, int mtu, RelayCounters counters, CancellationToken cancellationToken)
    {
        TapDevice tap;
        try
        {
            tap = InNamespace(() => TapDevice.Open(tapName));
        }
        catch (TapDeviceException e)
        {
            throw new Core.Errors.DriverException($"Network {networkId}: cannot open the relay port: {e.Message}", isTransient: true);
        }


        try
        {
            _sysctls.Isolate(tapName, isBridge: false);
            await _ip.RunAsync(
                ["link", "set", "dev", tapName, "master", InterfaceNames.Bridge(networkId), "mtu", mtu.ToString(CultureInfo.InvariantCulture), "alias", _alias, "up"],
                cancellationToken);
            return new RelayPort(tap, mtu, counters, _timings, _time);
        }
        catch
        {
            tap.Dispose();
            throw;
        }
    }

    private T InNamespace<T>(Func<T> create)
    {
        if (_namespaceContext is null)
        {
            return create();
        }

        T result = default!;
        _namespaceContext(() => result = create());
        return result;
    }

    private static string? EndpointProblem(string what, string address, int port)
    {
        if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork || address.Count(c => c == '.') != 3)
        {
            return $"{what} address '{address}' is not an IPv4 address.";
        }

        return port is < 1 or > 65535 ? $"{what} port {port} is outside 1..65535." : null;
    }

    private sealed record ClientEntry(int Mtu, RelayPort Port, RelayClientLink Link) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Link.DisposeAsync();
            Port.Dispose();
        }
    }
}
