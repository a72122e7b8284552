using System.Threading.Channels;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// One port of a <see cref="StreamSwitch"/>: a VM NIC's QEMU stream socket or the relay link to the hub (ADR 0052). The
/// switch only puts frames into the port's bounded <see cref="Outbox"/>; whoever owns the port drains it to its socket.
/// So a slow or stuck peer (a guest whose receive ring is full makes QEMU stop reading) costs only its own frames,
/// counted as dropped, and never stalls the switch for the other ports — an Ethernet switch's full egress queue.
/// </summary>
public sealed class SwitchPort
{
    private readonly Channel<byte[]> _outbox;
    private long _framesIn;
    private long _framesOut;
    private long _dropped;

    internal SwitchPort(string name, int queueFrames)
    {
        Name = name;
        _outbox = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(queueFrames)
        {
            // Wait (not DropWrite): TryWrite then says false when the queue is full, so the drop is counted.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>What the port is (a NIC id, "relay"); for logs and counters.</summary>
    public string Name { get; }

    /// <summary>False once the port was removed from its switch: its frames are ignored, nothing is queued to it.</summary>
    public bool Attached { get; internal set; } = true;

    /// <summary>Frames the switch queued for this port, in order. Its owner reads them and writes them to its peer.</summary>
    public ChannelReader<byte[]> Outbox => _outbox.Reader;

    /// <summary>Frames that came in through this port and the switch accepted.</summary>
    public long FramesIn => Interlocked.Read(ref _framesIn);

    /// <summary>Frames queued to this port.</summary>
    public long FramesOut => Interlocked.Read(ref _framesOut);

    /// <summary>Frames meant for this port that its full queue (or its closed peer) refused.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal void CountIn() => Interlocked.Increment(ref _framesIn);

    /// <summary>Counts frames the port's owner could not deliver (no peer connected, a write failed).</summary>
    public void CountDropped(int frames) => Interlocked.Add(ref _dropped, frames);

    internal void Offer(ReadOnlySpan<byte> frame)
    {
        if (_outbox.Writer.TryWrite(frame.ToArray()))
        {
            Interlocked.Increment(ref _framesOut);
        }
        else
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    internal void Close() => _outbox.Writer.TryComplete();
}
