using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// One VM NIC as a port of its network's <see cref="StreamSwitch"/> (ADR 0052). QEMU listens on the NIC's unix socket
/// (<c>-netdev stream,server=on</c>) and the agent connects: QEMU 7.2 accepts one peer at a time and listens again when
/// that peer goes, so an agent that restarts reconnects to the running VM (QEMU 7.2's client side has no reconnect,
/// which rules out the other direction). The agent keeps trying while the socket is missing or refuses (the VM is
/// starting, or between two QEMU processes), every <see cref="RetryInterval"/>. A frame larger than the network allows
/// is read and dropped, not treated as a broken connection: the guest chose it, and the next one may be fine.
/// </summary>
internal sealed class VmStreamPort : IAsyncDisposable
{
    /// <summary>Between connection attempts: short, since the VM's network is down until the agent is connected.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>At most this much goes into one write to QEMU (many small frames queued at once: one syscall).</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly StreamSwitch _switch;
    private readonly SwitchPort _port;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private readonly Task _writer;
    private Socket? _socket;

    public VmStreamPort(StreamSwitch sw, string nicId, string socketPath, TimeProvider time, ILogger logger)
    {
        _switch = sw;
        NicId = nicId;
        SocketPath = socketPath;
        _time = time;
        _logger = logger;
        _port = sw.AddPort(nicId);
        _reader = Task.Run(() => ConnectLoopAsync(_stop.Token));
        _writer = Task.Run(() => WriteLoopAsync(_stop.Token));
    }

    public string NicId { get; }

    public string SocketPath { get; }

    public SwitchPort Port => _port;

    /// <summary>True while connected to QEMU's socket.</summary>
    public bool Connected => Volatile.Read(ref _socket) is not null;

    public async ValueTask DisposeAsync()
    {
        _switch.RemovePort(_port);
        await _stop.CancelAsync();
        Interlocked.Exchange(ref _socket, null)?.Dispose();
        await Task.WhenAll(_reader, _writer).WaitAsync(StopTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(_switch.MaxFrame, QemuStreamFraming.HeaderLength)];
        var waiting = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                if (!waiting)
                {
                    // Once per outage, not every 250 ms: a stopped VM's socket is missing until it starts.
                    _logger.VmPortWaiting(_switch.NetworkId, NicId, e.SocketErrorCode);
                    waiting = true;
                }

                await DelayAsync(cancellationToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                return;
            }

            waiting = false;
            Volatile.Write(ref _socket, socket);
            _logger.VmPortConnected(_switch.NetworkId, NicId, SocketPath);
            var reason = await ReadFramesAsync(socket, buffer, cancellationToken);
            Interlocked.CompareExchange(ref _socket, null, socket);
            socket.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            _logger.VmPortDisconnected(_switch.NetworkId, NicId, reason);
            await DelayAsync(cancellationToken);
        }
    }

    private async Task<string> ReadFramesAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(buffer.AsMemory(0, QemuStreamFraming.HeaderLength), cancellationToken);
                var length = QemuStreamFraming.ReadHeader(buffer);
                if (length > _switch.MaxFrame)
                {
                    await SkipAsync(stream, length, buffer, cancellationToken);
                    _switch.Counters.CountBadSize();
                    continue;
                }

                await stream.ReadExactlyAsync(buffer.AsMemory(0, (int)length), cancellationToken);
                _switch.Forward(_port, buffer.AsSpan(0, (int)length));
            }
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (EndOfStreamException)
        {
            return "QEMU closed the socket (the VM stopped)";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return e.Message;
        }
    }

    private static async Task SkipAsync(NetworkStream stream, uint length, byte[] buffer, CancellationToken cancellationToken)
    {
        var left = (long)length;
        while (left > 0)
        {
            var chunk = (int)Math.Min(left, buffer.Length);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, chunk), cancellationToken);
            left -= chunk;
        }
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var batch = new byte[Math.Max(BatchBytes, 2 * (_switch.MaxFrame + QemuStreamFraming.HeaderLength))];
        var outbox = _port.Outbox;
        try
        {
            while (await outbox.WaitToReadAsync(cancellationToken))
            {
                var used = 0;
                var frames = 0;
                while (used + QemuStreamFraming.HeaderLength + _switch.MaxFrame <= batch.Length && outbox.TryRead(out var frame))
                {
                    QemuStreamFraming.WriteHeader(batch.AsSpan(used), frame.Length);
                    frame.CopyTo(batch.AsSpan(used + QemuStreamFraming.HeaderLength));
                    used += QemuStreamFraming.HeaderLength + frame.Length;
                    frames++;
                }

                if (Volatile.Read(ref _socket) is not { } socket)
                {
                    // No QEMU connected (starting, or between processes): the frames are lost, as on an unplugged cable.
                    _port.CountDropped(frames);
                    continue;
                }

                try
                {
                    var sent = 0;
                    while (sent < used)
                    {
                        sent += await socket.SendAsync(batch.AsMemory(sent, used - sent), SocketFlags.None, cancellationToken);
                    }
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    // The reader sees the same broken socket and reconnects.
                    _port.CountDropped(frames);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RetryInterval, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop condition ends it.
        }
    }
}
