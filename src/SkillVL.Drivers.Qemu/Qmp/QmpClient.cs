using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.Qmp;

/// <summary>
/// A small QEMU Machine Protocol client over a unix socket. Written by hand because no maintained .NET QMP
/// library exists; the protocol is newline-separated JSON (qemu/docs/interop/qmp-spec.rst): a greeting,
/// capability negotiation, then commands with an <c>id</c> we choose so replies match their requests even
/// when events arrive in between. Events go to <see cref="Events"/>, never to a command's reply.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    /// <summary>
    /// Events are kept for whoever reads them; a reader that never reads must not grow memory without bound,
    /// so the oldest are dropped past this many (a VM emits a handful per lifecycle change).
    /// </summary>
    private const int EventBufferCapacity = 256;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _socketPath;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonNode?>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<JsonObject> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<QmpEvent> _events = Channel.CreateBounded<QmpEvent>(
        new BoundedChannelOptions(EventBufferCapacity) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _disposed = new();
    private Task _readLoop = Task.CompletedTask;
    private long _nextId;
    private volatile Exception? _closedReason;

    private QmpClient(Socket socket, string socketPath, TimeProvider timeProvider, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _socketPath = socketPath;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Events in the order QEMU sent them. Completes when the connection closes.</summary>
    public ChannelReader<QmpEvent> Events => _events.Reader;

    /// <summary>The greeting's <c>QMP</c> member (QEMU version and capabilities).</summary>
    public JsonObject Greeting { get; private set; } = [];

    /// <summary>False once the connection is closed (QEMU quit or the socket broke).</summary>
    public bool IsConnected => _closedReason is null;

    /// <summary>
    /// Connects, reads the greeting and negotiates capabilities (we ask for none), all within
    /// <paramref name="timeout"/>. QEMU serves one QMP client per socket at a time: a second connection waits
    /// in the listen backlog without a greeting, which shows up here as a transient timeout.
    /// </summary>
    public static async Task<QmpClient> ConnectAsync(
        string socketPath,
        TimeSpan timeout,
        TimeProvider timeProvider,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        QmpClient? client = null;
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), linked.Token);
            client = new QmpClient(socket, socketPath, timeProvider, logger);
            client._readLoop = Task.Run(client.ReadLoopAsync, CancellationToken.None);
            var greeting = await client._greeting.Task.WaitAsync(linked.Token);
            client.Greeting = greeting;
            await client.ExecuteAsync("qmp_capabilities", null, timeout, linked.Token);
            logger.QmpConnected(socketPath);
            return client;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(client, socket);
            throw new DriverException(
                $"QMP at {socketPath} did not greet within {timeout.TotalSeconds:0.#} s (QEMU busy, or another client holds the socket).",
                isTransient: true);
        }
        catch (SocketException e)
        {
            await DisposeQuietlyAsync(client, socket);
            throw new DriverException($"Cannot connect to QMP at {socketPath}: {e.Message}", isTransient: true, e);
        }
        catch
        {
            await DisposeQuietlyAsync(client, socket);
            throw;
        }
    }

    /// <summary>
    /// Runs one command and returns its <c>return</c> member. A QMP error reply becomes a
    /// <see cref="DriverException"/> naming the error class and description (not transient: QEMU refused);
    /// no reply within <paramref name="timeout"/> or a closed connection is a transient one.
    /// </summary>
    public async Task<JsonNode?> ExecuteAsync(
        string command,
        JsonObject? arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        ThrowIfClosed(command);
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            var message = new JsonObject { ["execute"] = command, ["id"] = id };
            if (arguments is not null)
            {
                message["arguments"] = arguments.DeepClone();
            }

            var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
            await _writeLock.WaitAsync(cancellationToken);
            try
            {
                await _stream.WriteAsync(bytes, cancellationToken);
            }
            catch (IOException e)
            {
                throw new DriverException($"QMP {command}: connection to {_socketPath} broke: {e.Message}", isTransient: true, e);
            }
            finally
            {
                _writeLock.Release();
            }

            _logger.QmpCommandSent(command, id);
            return await reply.Task.WaitAsync(timeout, _timeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new DriverException(
                $"QMP {command} got no reply within {timeout.TotalSeconds:0.#} s from {_socketPath}.", isTransient: true);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }

        _socket.Dispose();
        try
        {
            await _readLoop;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The loop ends by the socket closing under it.
        }

        await _stream.DisposeAsync();
        _writeLock.Dispose();
        _disposed.Dispose();
    }

    private static async Task DisposeQuietlyAsync(QmpClient? client, Socket socket)
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }
    }

    private void ThrowIfClosed(string command)
    {
        if (_closedReason is { } reason)
        {
            throw new DriverException($"QMP {command}: connection to {_socketPath} is closed.", isTransient: true, reason);
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception closedReason = new EndOfStreamException("QEMU closed the QMP socket.");
        try
        {
            using var reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            while (!_disposed.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(_disposed.Token);
                if (line is null)
                {
                    break;
                }

                if (line.Length > 0)
                {
                    Dispatch(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            closedReason = e;
        }
        finally
        {
            _closedReason = closedReason;
            _greeting.TrySetException(new DriverException($"QMP at {_socketPath} closed before its greeting.", isTransient: true, closedReason));
            foreach (var (id, pending) in _pending)
            {
                pending.TrySetException(new DriverException(
                    $"QMP connection to {_socketPath} closed before command {id} was answered.", isTransient: true, closedReason));
            }

            _events.Writer.TryComplete();
            _logger.QmpDisconnected(_socketPath);
        }
    }

    private void Dispatch(string line)
    {
        JsonObject message;
        try
        {
            message = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            _logger.QmpUnparsableLine(_socketPath, line);
            return;
        }

        if (message["QMP"] is JsonObject greeting)
        {
            _greeting.TrySetResult(greeting);
        }
        else if (message["event"] is JsonValue eventName)
        {
            var qmpEvent = new QmpEvent(eventName.ToString(), message["data"] as JsonObject, ReadTimestamp(message["timestamp"]));
            _logger.QmpEventReceived(qmpEvent.Name);
            _events.Writer.TryWrite(qmpEvent);
        }
        else if (message["id"] is JsonValue idValue && _pending.TryGetValue(idValue.ToString(), out var pending))
        {
            if (message["error"] is JsonObject error)
            {
                var errorClass = error["class"]?.ToString() ?? "GenericError";
                var description = error["desc"]?.ToString() ?? "(no description)";
                var exception = new DriverException($"QEMU refused a QMP command: {errorClass}: {description}");
                exception.Data["QmpErrorClass"] = errorClass;
                pending.TrySetException(exception);
            }
            else
            {
                pending.TrySetResult(message["return"]?.DeepClone());
            }
        }
        else
        {
            // A reply to a command we gave up on (timed out), or an error QEMU could not tie to an id.
            _logger.QmpUnmatchedReply(_socketPath, line);
        }
    }

    private static DateTimeOffset ReadTimestamp(JsonNode? timestamp)
    {
        if (timestamp is JsonObject t && t["seconds"] is JsonValue s && t["microseconds"] is JsonValue us
            && s.TryGetValue(out long seconds) && us.TryGetValue(out long microseconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(microseconds * 10);
        }

        return DateTimeOffset.MinValue;
    }
}
