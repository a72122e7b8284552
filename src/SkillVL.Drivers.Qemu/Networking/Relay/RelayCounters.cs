namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>What one relay link carried (client: over all its connections; hub: one client's connection).</summary>
public sealed class RelayCounters
{
    private long _framesSent;
    private long _bytesSent;
    private long _framesReceived;
    private long _bytesReceived;
    private long _framesDropped;
    private long _connects;
    private long _failures;

    /// <summary>Frames read from the tap and sent to the peer.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Bytes of those frames (Ethernet header included, record and TLS framing not).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Frames received from the peer and written to the tap.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Frames read from the tap while no connection was up (the local bridge still works), or the tap refused.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>Connections that were accepted by the hub.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Connection attempts that failed (connect, TLS, refusal) or connections that broke.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    internal void Sent(int frames, long bytes)
    {
        Interlocked.Add(ref _framesSent, frames);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void Received(int bytes)
    {
        Interlocked.Increment(ref _framesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }

    internal void Dropped(int frames) => Interlocked.Add(ref _framesDropped, frames);

    internal void Connected() => Interlocked.Increment(ref _connects);

    internal void Failed() => Interlocked.Increment(ref _failures);
}
