using SkillVL.Drivers.Qemu.Networking.Relay;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// A learning Ethernet switch in the agent for one room network on a client node in stream mode (ADR 0052): its ports
/// are the network's VM NICs (QEMU <c>-netdev stream</c> sockets) and the relay link to the hub. It does what the
/// Linux bridge does on the other nodes, and only that: learns source MACs (<see cref="MacTable"/>, with ageing),
/// sends a frame to the one port its destination was learned on, floods broadcast, multicast and unknown destinations
/// to every other port, and never sends a frame back to the port it came from. A frame longer than the network's MTU
/// plus an Ethernet header with one VLAN tag (<see cref="RelayProtocol.FrameOverhead"/>) is dropped, as the bridge's
/// ports would. One switch per network and nothing shared between them: rooms are as isolated as separate bridges.
/// Thread-safe: every port's reader calls <see cref="Forward"/> on its own thread.
/// </summary>
public sealed class StreamSwitch
{
    /// <summary>Linux bridge's default ageing time (<c>ageing_time</c> 300 s).</summary>
    public static readonly TimeSpan DefaultAgeing = TimeSpan.FromSeconds(300);

    /// <summary>Learned addresses per network; a room has tens of guests, so this only bounds a forging guest.</summary>
    public const int DefaultMacCapacity = 4096;

    /// <summary>Frames queued per port: about 380 KiB of full-size frames, a few ms at guest speeds; beyond that the
    /// peer is not reading and its frames are dropped (as a switch's full egress queue does).</summary>
    public const int DefaultQueueFrames = 256;

    /// <summary>Ports per network (VM NICs and the relay): far above a room's size, so a bug cannot grow it without end.</summary>
    public const int MaxPorts = 256;

    private const int EthernetHeader = 14;

    private readonly object _gate = new();
    private readonly MacTable _macs;
    private SwitchPort[] _ports = [];

    public StreamSwitch(string networkId, int mtu, TimeProvider time, TimeSpan? ageing = null, int macCapacity = DefaultMacCapacity)
    {
        if (mtu is < 68 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(mtu), mtu, "The network's MTU is out of range.");
        }

        NetworkId = networkId;
        Mtu = mtu;
        MaxFrame = mtu + RelayProtocol.FrameOverhead;
        _macs = new MacTable(time, ageing ?? DefaultAgeing, macCapacity);
    }

    public string NetworkId { get; }

    public int Mtu { get; }

    /// <summary>The largest frame the network carries: MTU + 18.</summary>
    public int MaxFrame { get; }

    public SwitchCounters Counters { get; } = new();

    public IReadOnlyList<SwitchPort> Ports => Volatile.Read(ref _ports);

    /// <summary>Addresses learned now (aged-out ones count until looked up or purged).</summary>
    public int LearnedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _macs.Count;
            }
        }
    }

    /// <summary>Adds a port; its owner drains it (<see cref="SwitchPort.WaitForFrames"/>, <see cref="SwitchPort.TryDequeue"/>).</summary>
    /// <exception cref="InvalidOperationException">The switch already has <see cref="MaxPorts"/> ports.</exception>
    public SwitchPort AddPort(string name, int queueFrames = DefaultQueueFrames)
    {
        var port = new SwitchPort(name, queueFrames);
        lock (_gate)
        {
            if (_ports.Length >= MaxPorts)
            {
                throw new InvalidOperationException($"Network {NetworkId}: the switch already has {MaxPorts} ports.");
            }

            Volatile.Write(ref _ports, [.. _ports, port]);
        }

        return port;
    }

    /// <summary>Removes a port: nothing more is queued to it, the addresses behind it are forgotten, its outbox ends.</summary>
    public void RemovePort(SwitchPort port)
    {
        lock (_gate)
        {
            port.Attached = false;
            Volatile.Write(ref _ports, [.. _ports.Where(p => !ReferenceEquals(p, port))]);
            _macs.Forget(port);
        }

        port.Close();
    }

    /// <summary>Switches one Ethernet frame (no preamble, no FCS) that came in through <paramref name="from"/>.</summary>
    public void Forward(SwitchPort from, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeader || frame.Length > MaxFrame)
        {
            Counters.CountBadSize();
            return;
        }

        var destination = frame[..6];
        var source = frame[6..12];
        SwitchPort? target = null;
        lock (_gate)
        {
            if (!from.Attached)
            {
                return;
            }

            // Only unicast sources are learned: a multicast source address is invalid and would poison the table.
            if ((source[0] & 1) == 0)
            {
                _macs.Learn(source, from);
            }

            if ((destination[0] & 1) == 0)
            {
                target = _macs.Find(destination);
            }
        }

        from.CountIn();
        if (target is not null)
        {
            if (ReferenceEquals(target, from))
            {
                Counters.CountFiltered();
                return;
            }

            target.Offer(frame);
            Counters.CountForwarded();
            return;
        }

        foreach (var port in Volatile.Read(ref _ports))
        {
            if (!ReferenceEquals(port, from))
            {
                port.Offer(frame);
            }
        }

        Counters.CountFlooded();
    }
}
