using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Drivers.Qemu.Networking.Relay;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// Room networks of a client node in stream mode (<see cref="QemuDriverOptions.VmNetwork"/> = <c>stream</c>, ADR 0052):
/// each network is a <see cref="StreamSwitch"/> in this process whose ports are its VMs' NICs (QEMU
/// <c>-netdev stream</c> unix sockets, <see cref="VmStreamPort"/>) and, with a <see cref="NetworkSpec.Relay"/>, the
/// outbound relay link to the hub (<see cref="RelaySwitchPort"/> over ADR 0019's <see cref="RelayClientLink"/>). No
/// bridge, tap, VXLAN device or sysctl: nothing here needs root or touches the host's network configuration. Such a node
/// can only be a relay client: a spec that makes it a VXLAN peer or a relay hub is refused. The switches live only in
/// this process; after a restart the Server ensures the networks again and <see cref="QemuVmDriver.ListAsync"/> attaches
/// the running VMs' NICs again (QEMU listens again when the agent's connection goes).
/// </summary>
public sealed class StreamNetworks : INetworkDriver, IAsyncDisposable
{
    private readonly RelayConnector _connector;
    private readonly RelayTimings _timings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <param name="tlsDirectory">The node's platform certificate, key and CA, for the relay (ADR 0011, 0019).</param>
    /// <param name="namespaceContext">Runs the relay's socket creation (tests' simulated nodes pass their namespace); null:
    /// on the calling thread.</param>
    public StreamNetworks(
        string tlsDirectory, TimeProvider time, ILogger<StreamNetworks> logger, RelayTimings? timings = null, Action<Action>? namespaceContext = null)
    {
        _timings = timings ?? new RelayTimings();
        _time = time;
        _logger = logger;
        _connector = new RelayConnector(tlsDirectory, _timings, create =>
        {
            if (namespaceContext is null)
            {
                return create();
            }

            System.Net.Sockets.Socket socket = null!;
            namespaceContext(() => socket = create());
            return socket;
        });
    }

    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return [.. _networks.Keys.Order(StringComparer.Ordinal)];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes the network's switch exist with the spec's MTU and exactly the spec's relay link.</summary>
    /// <exception cref="ArgumentException">An MTU or relay field out of range (nothing changed).</exception>
    /// <exception cref="DriverException">The spec wants this node as a VXLAN peer or a relay hub (not transient).</exception>
    public async Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        Validate(network);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_networks.TryGetValue(network.Id, out var current))
            {
                if (current.Switch.Mtu == network.Mtu && current.Link?.Target == network.Relay)
                {
                    return;
                }

                // A new MTU or hub: a new switch, with the same VM NICs attached (QEMU takes the new connection).
                var nics = current.Nics.Values.Select(n => (n.NicId, n.SocketPath)).ToList();
                await current.DisposeAsync();
                _networks.Remove(network.Id);
                var replaced = Create(network);
                foreach (var (nicId, socketPath) in nics)
                {
                    replaced.Nics[nicId] = new VmStreamPort(replaced.Switch, nicId, socketPath, _logger);
                }

                return;
            }

            Create(network);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task DeleteAsync(string networkId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_networks.Remove(networkId, out var network))
            {
                await network.DisposeAsync();
                _logger.SwitchDeleted(networkId);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when this node has the network's switch.</summary>
    public async Task<bool> ExistsAsync(string networkId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _networks.ContainsKey(networkId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes <paramref name="nicId"/> a port of <paramref name="networkId"/>'s switch, connecting to QEMU's socket at
    /// <paramref name="socketPath"/> (now or as soon as it listens). Idempotent.
    /// </summary>
    /// <returns>False when the network does not exist on this node (yet).</returns>
    public async Task<bool> AttachAsync(string nicId, string networkId, string socketPath, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_networks.TryGetValue(networkId, out var network))
            {
                return false;
            }

            if (network.Nics.TryGetValue(nicId, out var existing) && existing.SocketPath == socketPath)
            {
                return true;
            }

            await DetachCoreAsync(nicId);
            network.Nics[nicId] = new VmStreamPort(network.Switch, nicId, socketPath, _logger);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the NIC's port from whichever switch has it (the VM stopped or went away).</summary>
    public async Task DetachAsync(string nicId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await DetachCoreAsync(nicId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The network's switch (its ports and counters), or null.</summary>
    public StreamSwitch? SwitchOf(string networkId)
    {
        _gate.Wait();
        try
        {
            return _networks.TryGetValue(networkId, out var network) ? network.Switch : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The relay link of a network, or null when it has none.</summary>
    public RelayLinkStatus? ClientStatus(string networkId)
    {
        _gate.Wait();
        try
        {
            return _networks.TryGetValue(networkId, out var network) ? network.Link?.Status : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            foreach (var network in _networks.Values)
            {
                await network.DisposeAsync();
            }

            _networks.Clear();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What a stream-mode node accepts: a network of its own, or one relayed to a hub; nothing else.</summary>
    public static void Validate(NetworkSpec network)
    {
        if (network.Mtu is < 68 or > 65535)
        {
            throw new ArgumentException($"Network {network.Id}: MTU {network.Mtu.ToString(CultureInfo.InvariantCulture)} is out of range.", nameof(network));
        }

        NetworkRelays.Validate(network);
        if (network.Overlay is not null || network.RelayHub is not null)
        {
            throw new DriverException(
                $"Network {network.Id}: this node runs its VMs' networks in stream mode (--vm-network stream, ADR 0052), so it " +
                "joins room networks only as a relay client; it can be neither a VXLAN peer nor a relay hub. Run it with " +
                "--vm-network bridge, or as a client node.",
                isTransient: false);
        }
    }

    private Network Create(NetworkSpec spec)
    {
        var sw = new StreamSwitch(spec.Id, spec.Mtu, _time);
        RelaySwitchPort? relayPort = null;
        RelayClientLink? link = null;
        if (spec.Relay is { } relay)
        {
            var counters = new RelayCounters();
            relayPort = new RelaySwitchPort(sw, counters, _timings, _time);
            link = new RelayClientLink(spec.Id, relay, relayPort, _connector, _timings, _time, _logger, counters);
        }

        var network = new Network(sw, relayPort, link);
        _networks[spec.Id] = network;
        _logger.SwitchCreated(spec.Id, spec.Mtu, spec.Relay?.HubNodeName ?? "(none)");
        return network;
    }

    private async Task DetachCoreAsync(string nicId)
    {
        foreach (var network in _networks.Values)
        {
            if (network.Nics.Remove(nicId, out var port))
            {
                await port.DisposeAsync();
            }
        }
    }

    private sealed record Network(StreamSwitch Switch, RelaySwitchPort? RelayPort, RelayClientLink? Link) : IAsyncDisposable
    {
        public Dictionary<string, VmStreamPort> Nics { get; } = new(StringComparer.Ordinal);

        public async ValueTask DisposeAsync()
        {
            if (Link is not null)
            {
                await Link.DisposeAsync();
            }

            if (RelayPort is not null)
            {
                await RelayPort.DisposeAsync();
            }

            foreach (var nic in Nics.Values)
            {
                await nic.DisposeAsync();
            }

            Nics.Clear();
        }
    }
}
