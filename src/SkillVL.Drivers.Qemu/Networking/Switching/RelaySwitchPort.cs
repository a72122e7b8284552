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
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private System.IO.Stream? _stream;
    private long _lastSent;

    public RelaySwitchPort(StreamSwitch sw, RelayCounters counters, RelayTimings timings, TimeProvider time)
    {
        _switch = sw;
        _counters = counters;
        _timings = timings;
        _time = time;
        _port = sw.AddPort("relay");
        _writer = Task.Run(() => WriteLoopAsync(_stop.Token));
    }

    public string Name => "stream switch of " + _switch.NetworkId;

    public SwitchPort Port => _port;

    public async Task<string> RunAsync(System.IO.Stream stream, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        Volatile.Write(ref _stream, stream);
        var buffer = new byte[_switch.MaxFrame];
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                // Every record (keepalives included) proves the hub alive.
                idle.CancelAfter(_timings.IdleTimeout);
                var length = await RelayProtocol.ReadFrameAsync(stream, buffer, _switch.MaxFrame, idle.Token);
                if (length == 0)
                {
                    continue;
                }

                _counters.Received(length);
                _switch.Forward(_port, buffer.AsSpan(0, length));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"nothing received for {_timings.IdleTimeout.TotalSeconds:0.#} s";
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
        {
            return e is EndOfStreamException ? "the peer closed the connection" : e.Message;
        }
        finally
        {
            Interlocked.CompareExchange(ref _stream, null, stream);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _switch.RemovePort(_port);
        await _stop.CancelAsync();
        await _writer.WaitAsync(StopTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new byte[Math.Max(BatchBytes, 2 * (_switch.MaxFrame + 2))];
        while (!cancellationToken.IsCancellationRequested)
        {
            // Wake at least once per keepalive interval, to send one when nothing else went out. A new source each time:
            // one whose timer fired cannot be reset.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(_timings.KeepaliveInterval);
            bool more;
            try
            {
                more = await _port.Outbox.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await SendKeepaliveIfDueAsync(cancellationToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!more)
            {
                return;
            }

            await SendQueuedAsync(batch, cancellationToken);
            await SendKeepaliveIfDueAsync(cancellationToken);
        }
    }

    /// <summary>Sends what the switch queued for the hub (up to one batch) as records, or counts it dropped while no
    /// connection is up.</summary>
    private async Task SendQueuedAsync(byte[] batch, CancellationToken cancellationToken)
    {
        var used = 0;
        var frames = 0;
        while (used + 2 + _switch.MaxFrame <= batch.Length && _port.Outbox.TryRead(out var frame))
        {
            RelayProtocol.WriteHeader(batch.AsSpan(used), frame.Length);
            frame.CopyTo(batch.AsSpan(used + 2));
            used += 2 + frame.Length;
            frames++;
        }

        if (Volatile.Read(ref _stream) is { } stream && await SendAsync(stream, batch.AsMemory(0, used), cancellationToken))
        {
            _counters.Sent(frames, used - (2 * frames));
        }
        else
        {
            _counters.Dropped(frames);
            _port.CountDropped(frames);
        }
    }

    private async Task SendKeepaliveIfDueAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stream) is { } stream && _time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _timings.KeepaliveInterval)
        {
            await SendAsync(stream, new byte[2], cancellationToken);
        }
    }

    private async Task<bool> SendAsync(System.IO.Stream stream, ReadOnlyMemory<byte> records, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(records, cancellationToken);
            await stream.FlushAsync(cancellationToken);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // A broken connection: closing it ends RunAsync's pending read, which reports it and the link reconnects.
            Interlocked.CompareExchange(ref _stream, null, stream);
            await stream.DisposeAsync();
            return false;
        }
    }
}
