using SkillVL.Drivers.Qemu.Networking.Relay;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// The relay link to the hub as one port of a network's <see cref="StreamSwitch"/> (ADR 0052): what
/// <see cref="RelayPort"/> is for the bridge, without a tap. The wire is ADR 0019's unchanged (2-byte records, keepalive
/// after <see cref="RelayTimings.KeepaliveInterval"/> of silence, closed after <see cref="RelayTimings.IdleTimeout"/>
/// without a record), so the hub cannot tell the two kinds of client apart. While no connection is up, frames for the hub
/// are dropped and counted and the switch keeps switching between the client's own VMs.
/// </summary>
internal sealed class RelaySwitchPort : IRelayLinkPort, IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>At most this much goes into one write: 64 KiB, as <see cref="RelayPort"/> (one TLS record per frame
    /// costs more than the frames at full speed).</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly StreamSwitch _switch;
    private readonly SwitchPort _port;
    private readonly RelayCounters _counters;
    private readonly RelayTimings _timings;
    private readonly TimeProvider _time;
    private readonly Thread _writer;
    private System.IO.Stream? _stream;
    private long _lastSent;

    public RelaySwitchPort(StreamSwitch sw, RelayCounters counters, RelayTimings timings, TimeProvider time)
    {
        _switch = sw;
        _counters = counters;
        _timings = timings;
        _time = time;
        _port = sw.AddPort("relay");
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "stream relay " + sw.NetworkId };
        _writer.Start();
    }

    public string Name => "stream switch of " + _switch.NetworkId;

    public SwitchPort Port => _port;

    public async Task<string> RunAsync(System.IO.Stream stream, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        Volatile.Write(ref _stream, stream);
        try
        {
            return await RelayProtocol.ReceiveFramesAsync(stream, _switch.MaxFrame, _timings.IdleTimeout, ToSwitch, cancellationToken);
        }
        finally
        {
            Interlocked.CompareExchange(ref _stream, null, stream);
        }
    }

    private void ToSwitch(byte[] frame, int length)
    {
        _counters.Received(length);
        _switch.Forward(_port, frame.AsSpan(0, length));
    }

    public async ValueTask DisposeAsync()
    {
        _switch.RemovePort(_port);
        await Task.Run(() => _writer.Join(StopTimeout));
    }

    /// <summary>
    /// The writer thread: sends what the switch queued for the hub as records (up to one batch per write), counts it
    /// dropped while no connection is up, and sends a keepalive after <see cref="RelayTimings.KeepaliveInterval"/> without
    /// a write. A thread of its own, as <see cref="RelayPort"/>'s reader: frames never wait for a thread-pool thread.
    /// </summary>
    private void WriteLoop()
    {
        var batch = new byte[Math.Max(BatchBytes, 2 * (_switch.MaxFrame + 2))];
        var keepalive = new byte[2];
        while (_port.WaitForFrames(_timings.KeepaliveInterval))
        {
            var used = 0;
            var frames = 0;
            while (used + 2 + _switch.MaxFrame <= batch.Length && _port.TryDequeue(out var frame))
            {
                RelayProtocol.WriteHeader(batch.AsSpan(used), frame.Length);
                frame.CopyTo(batch.AsSpan(used + 2));
                used += 2 + frame.Length;
                frames++;
            }

            if (frames > 0)
            {
                if (Volatile.Read(ref _stream) is { } stream && Send(stream, batch.AsSpan(0, used)))
                {
                    _counters.Sent(frames, used - (2 * frames));
                }
                else
                {
                    _counters.Dropped(frames);
                    _port.CountDropped(frames);
                }
            }

            if (Volatile.Read(ref _stream) is { } idle && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _timings.KeepaliveInterval)
            {
                Send(idle, keepalive);
            }
        }
    }

    private bool Send(System.IO.Stream stream, ReadOnlySpan<byte> records)
    {
        try
        {
            stream.Write(records);
            stream.Flush();
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // A broken connection: closing it ends RunAsync's pending read, which reports it and the link reconnects.
            Interlocked.CompareExchange(ref _stream, null, stream);
            stream.Dispose();
            return false;
        }
    }
}
