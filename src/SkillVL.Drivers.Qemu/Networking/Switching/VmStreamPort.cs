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
/// Two dedicated threads with blocking I/O (reading QEMU's frames into the switch; writing the port's queue to QEMU),
/// as the relay tap's (ADR 0019): frames never wait for a thread-pool thread.
/// </summary>
internal sealed class VmStreamPort : IAsyncDisposable
{
    /// <summary>Between connection attempts: short, since the VM's network is down until the agent is connected.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle writer looks whether the port was closed (it is also woken by the close).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>At most this much goes into one write to QEMU (many small frames queued at once: one syscall).</summary>
    private const int BatchBytes = 64 * 1024;

    private readonly StreamSwitch _switch;
    private readonly SwitchPort _port;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly Thread _reader;
    private readonly Thread _writer;
    private Socket? _socket;

    public VmStreamPort(StreamSwitch sw, string nicId, string socketPath, ILogger logger)
    {
        _switch = sw;
        NicId = nicId;
        SocketPath = socketPath;
        _logger = logger;
        _port = sw.AddPort(nicId);
        _reader = new Thread(ConnectLoop) { IsBackground = true, Name = "stream in " + nicId };
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "stream out " + nicId };
        _reader.Start();
        _writer.Start();
    }

    public string NicId { get; }

    public string SocketPath { get; }

    public SwitchPort Port => _port;

    /// <summary>True while connected to QEMU's socket.</summary>
    public bool Connected => Volatile.Read(ref _socket) is not null;

    public async ValueTask DisposeAsync()
    {
        _stopping.Set();
        _switch.RemovePort(_port);
        Interlocked.Exchange(ref _socket, null)?.Dispose();

        // Joined off the caller's thread: both end within a poll interval of the close.
        await Task.Run(() =>
        {
            _reader.Join(StopTimeout);
            _writer.Join(StopTimeout);
        });
        _stopping.Dispose();
    }

    private void ConnectLoop()
    {
        var buffer = new byte[Math.Max(_switch.MaxFrame, QemuStreamFraming.HeaderLength)];
        var waiting = false;
        while (!_stopping.IsSet)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
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

                _stopping.Wait(RetryInterval);
                continue;
            }

            waiting = false;
            Volatile.Write(ref _socket, socket);
            if (_stopping.IsSet)
            {
                // Disposed between the connect and the publish: nobody else closes this one.
                Interlocked.CompareExchange(ref _socket, null, socket);
                socket.Dispose();
                return;
            }

            _logger.VmPortConnected(_switch.NetworkId, NicId, SocketPath);
            var reason = ReadFrames(socket, buffer);
            Interlocked.CompareExchange(ref _socket, null, socket);
            socket.Dispose();
            if (_stopping.IsSet)
            {
                return;
            }

            _logger.VmPortDisconnected(_switch.NetworkId, NicId, reason);
            _stopping.Wait(RetryInterval);
        }
    }

    private string ReadFrames(Socket socket, byte[] buffer)
    {
        try
        {
            while (true)
            {
                ReceiveExactly(socket, buffer.AsSpan(0, QemuStreamFraming.HeaderLength));
                var length = QemuStreamFraming.ReadHeader(buffer);
                if (length > _switch.MaxFrame)
                {
                    Skip(socket, length, buffer);
                    _switch.Counters.CountBadSize();
                    continue;
                }

                ReceiveExactly(socket, buffer.AsSpan(0, (int)length));
                _switch.Forward(_port, buffer.AsSpan(0, (int)length));
            }
        }
        catch (EndOfStreamException)
        {
            return "QEMU closed the socket (the VM stopped)";
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return e.Message;
        }
    }

    private static void ReceiveExactly(Socket socket, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            var read = socket.Receive(destination);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            destination = destination[read..];
        }
    }

    private static void Skip(Socket socket, uint length, byte[] buffer)
    {
        var left = (long)length;
        while (left > 0)
        {
            var chunk = (int)Math.Min(left, buffer.Length);
            ReceiveExactly(socket, buffer.AsSpan(0, chunk));
            left -= chunk;
        }
    }

    private void WriteLoop()
    {
        var batch = new byte[Math.Max(BatchBytes, 2 * (_switch.MaxFrame + QemuStreamFraming.HeaderLength))];
        while (_port.WaitForFrames(PollInterval))
        {
            var used = 0;
            var frames = 0;
            while (used + QemuStreamFraming.HeaderLength + _switch.MaxFrame <= batch.Length && _port.TryDequeue(out var frame))
            {
                QemuStreamFraming.WriteHeader(batch.AsSpan(used), frame.Length);
                frame.CopyTo(batch.AsSpan(used + QemuStreamFraming.HeaderLength));
                used += QemuStreamFraming.HeaderLength + frame.Length;
                frames++;
            }

            if (frames == 0)
            {
                continue;
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
                    sent += socket.Send(batch.AsSpan(sent, used - sent));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The reader sees the same broken socket and reconnects.
                _port.CountDropped(frames);
            }
        }
    }
}
