using SkillVL.LinkEmulator.Linux;

namespace SkillVL.Drivers.Qemu.Networking.Relay;

/// <summary>
/// One tap port of a room network's bridge whose frames go to and come from a relay connection (ADR 0019). A
/// dedicated thread reads the tap (the tap has no async API; <see cref="TapDevice.WaitReadable"/> sleeps in ppoll) and
/// writes each frame to the current connection, or drops it when there is none: the bridge keeps switching between the
/// node's own VMs while the relay is down. Frames from the connection are written to the tap by
/// <see cref="RunAsync"/>. The port outlives connections on a client (reconnects reuse it) and lives exactly as long as
/// its connection on the hub.
/// </summary>
internal sealed class RelayPort : IRelayLinkPort, IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    /// <summary>At most this much goes into one write: 64 KiB, four TLS records' worth, about 44 full-size frames.</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly TapDevice _tap;
    private readonly RelayCounters _counters;
    private readonly RelayTimings _timings;
    private readonly TimeProvider _time;
    private readonly Thread _reader;
    private Stream? _stream;
    private long _lastSent;
    private volatile bool _stopping;

    public RelayPort(TapDevice tap, int mtu, RelayCounters counters, RelayTimings timings, TimeProvider time)
    {
        _tap = tap;
        _counters = counters;
        _timings = timings;
        _time = time;
        MaxFrame = mtu + RelayProtocol.FrameOverhead;
        _reader = new Thread(ReadTapLoop) { IsBackground = true, Name = "relay " + tap.Name };
        _reader.Start();
    }

    public string TapName => _tap.Name;

    string IRelayLinkPort.Name => _tap.Name;

    /// <summary>The largest frame the network carries: its MTU and an Ethernet header (with one VLAN tag).</summary>
    public int MaxFrame { get; }

    /// <summary>
    /// Carries frames between the tap and <paramref name="stream"/> until the peer closes it, it is idle for
    /// <see cref="RelayTimings.IdleTimeout"/>, a write fails, or <paramref name="cancellationToken"/> fires. Never
    /// throws for a broken connection: that is the normal end; the caller disposes the stream.
    /// </summary>
    /// <returns>Why the connection ended.</returns>
    public async Task<string> RunAsync(Stream stream, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        Volatile.Write(ref _stream, stream);
        try
        {
            return await RelayProtocol.ReceiveFramesAsync(stream, MaxFrame, _timings.IdleTimeout, ToTap, cancellationToken);
        }
        finally
        {
            Interlocked.CompareExchange(ref _stream, null, stream);
        }
    }

    private void ToTap(byte[] frame, int length)
    {
        if (_tap.TryWrite(frame.AsSpan(0, length)))
        {
            _counters.Received(length);
        }
        else
        {
            _counters.Dropped(1);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Volatile.Write(ref _stream, null);
        _reader.Join(StopTimeout);
        _tap.Dispose();
    }

    private void ReadTapLoop()
    {
        // Frames queued on the tap go out as one write (one TLS record, one syscall) rather than one each: the copy through
        // user space and TLS is what limits the relay, and per-frame records cost more than the frames at full speed.
        var batch = new byte[Math.Max(BatchBytes, 2 * (MaxFrame + 2))];
        var keepalive = new byte[2];
        while (!_stopping)
        {
            try
            {
                if (_tap.WaitReadable(PollInterval))
                {
                    var used = 0;
                    var frames = 0;
                    int length;
                    while (!_stopping && (length = _tap.TryRead(batch.AsSpan(used + 2, MaxFrame))) > 0)
                    {
                        RelayProtocol.WriteHeader(batch.AsSpan(used), length);
                        used += 2 + length;
                        frames++;
                        if (used + 2 + MaxFrame > batch.Length)
                        {
                            Forward(batch.AsSpan(0, used), frames);
                            used = 0;
                            frames = 0;
                        }
                    }

                    if (frames > 0)
                    {
                        Forward(batch.AsSpan(0, used), frames);
                    }
                }

                if (Volatile.Read(ref _stream) is { } stream
                    && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _timings.KeepaliveInterval)
                {
                    Send(stream, keepalive);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The tap is gone (deleted by hand, or disposed under us): the port is dead; its owner notices through
                // the connection ending or the next ensure.
                return;
            }
        }
    }

    /// <summary>Sends <paramref name="records"/> (<paramref name="frames"/> length-prefixed frames), or counts them
    /// dropped when no connection is up.</summary>
    private void Forward(ReadOnlySpan<byte> records, int frames)
    {
        if (Volatile.Read(ref _stream) is { } stream && Send(stream, records))
        {
            _counters.Sent(frames, records.Length - (2 * frames));
        }
        else
        {
            _counters.Dropped(frames);
        }
    }

    private bool Send(Stream stream, ReadOnlySpan<byte> records)
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
            // A broken connection: closing it ends RunAsync's pending read, which reports it.
            Interlocked.CompareExchange(ref _stream, null, stream);
            stream.Dispose();
            return false;
        }
    }
}
