namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// One port of a <see cref="StreamSwitch"/>: a VM NIC's QEMU stream socket or the relay link to the hub (ADR 0052). The
/// switch only puts frames into the port's bounded queue; the port's owner drains it to its peer on a thread of its own
/// (<see cref="WaitForFrames"/>, <see cref="TryDequeue"/>). So a slow or stuck peer (a guest whose receive ring is full
/// makes QEMU stop reading) costs only its own frames, counted as dropped, and never stalls the switch for the other
/// ports — an Ethernet switch's full egress queue. No thread-pool hop sits between a frame and its socket: under load
/// (two TCG guests on two cores) thread-pool wake-ups stalled frames for up to a second.
/// </summary>
public sealed class SwitchPort
{
    private readonly object _gate = new();
    private readonly Queue<byte[]> _queue = new();
    private readonly int _capacity;
    private bool _closed;
    private long _framesIn;
    private long _framesOut;
    private long _dropped;

    internal SwitchPort(string name, int queueFrames)
    {
        Name = name;
        _capacity = queueFrames;
    }

    /// <summary>What the port is (a NIC id, "relay"); for logs and counters.</summary>
    public string Name { get; }

    /// <summary>False once the port was removed from its switch: its frames are ignored, nothing is queued to it.</summary>
    public bool Attached { get; internal set; } = true;

    /// <summary>True once the port was removed: its owner stops.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Frames that came in through this port and the switch accepted.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);

    /// <summary>Frames queued to this port.</summary>
    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Frames meant for this port that its full queue (or its absent peer) refused.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Blocks until a frame is queued, the port is closed or <paramref name="timeout"/> passes.</summary>
    /// <returns>False when the port is closed.</returns>
    public bool WaitForFrames(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_queue.Count == 0 && !_closed)
            {
                Monitor.Wait(_gate, timeout);
            }

            return !_closed;
        }
    }

    /// <summary>The oldest queued frame, if any.</summary>
    public bool TryDequeue(out byte[] frame)
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out frame!);
        }
    }

    /// <summary>Counts frames the port's owner could not deliver (no peer connected, a write failed).</summary>
    public void CountDropped(int frames) => Interlocked.Add(ref _dropped, frames);

    internal void CountIn() => Interlocked.Increment(ref _framesIn);

    internal void Offer(ReadOnlySpan<byte> frame)
    {
        var copy = frame.ToArray();
        lock (_gate)
        {
            if (_closed || _queue.Count >= _capacity)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }

            _queue.Enqueue(copy);
            Interlocked.Increment(ref _framesOut);
            if (_queue.Count == 1)
            {
                // Single consumer, which checks the queue under this lock before it waits: no wake-up is lost.
                Monitor.Pulse(_gate);
            }
        }
    }

    internal void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Clear();
            Monitor.PulseAll(_gate);
        }
    }
}
