using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Remote;

/// <summary>
/// JSON messages over one WebSocket, both ways: calls with replies matched by id, and one-way messages
/// (hello, heartbeat). When the socket closes every pending call fails as a transient driver error, so the
/// reconciler simply tries again once the node is back.
/// </summary>
public sealed class AgentChannel : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const int MaxMessageBytes = 16 << 20;
    private readonly WebSocket _socket;
    private readonly string _peer;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<AgentMessage>> _pending = new();
    private long _nextId;

    public AgentChannel(WebSocket socket, string peer)
    {
        _socket = socket;
        _peer = peer;
    }

    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>Calls <paramref name="method"/> on the other side and returns its result.</summary>
    public async Task<JsonElement?> CallAsync(string method, object? parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<AgentMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await SendAsync(
                    new AgentMessage { Type = AgentMessage.Request, Id = id, Method = method, Params = parameters is null ? null : JsonSerializer.SerializeToElement(parameters, Json) },
                    limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DriverException($"Node {_peer}: sending {method} did not finish within {timeout.TotalSeconds:F0} s.", isTransient: true);
            }

            AgentMessage answer;
            try
            {
                answer = await reply.Task.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DriverException($"Node {_peer} did not answer {method} within {timeout.TotalSeconds:F0} s.", isTransient: true);
            }

            if (answer.Error is { } error)
            {
                throw ToException(error);
            }

            return answer.Result;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async Task SendAsync(AgentMessage message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, Json);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                throw new DriverException($"Node {_peer} is not connected.", isTransient: true);
            }

            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            throw new DriverException($"Node {_peer}: the connection broke ({e.Message}).", isTransient: true, e);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Reads messages until the socket closes: replies complete their calls, everything else goes to
    /// <paramref name="onMessage"/> (awaited in order, so keep it short or hand work off).
    /// </summary>
    public async Task RunAsync(Func<AgentMessage, Task> onMessage, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var message = new MemoryStream();
            while (_socket.State == WebSocketState.Open && !cancellationToken.IsCancellationRequested)
            {
                WebSocketReceiveResult received;
                message.SetLength(0);
                do
                {
                    received = await _socket.ReceiveAsync(buffer, cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    message.Write(buffer, 0, received.Count);
                    if (message.Length > MaxMessageBytes)
                    {
                        await _socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too large", CancellationToken.None);
                        return;
                    }
                }
                while (!received.EndOfMessage);

                var parsed = JsonSerializer.Deserialize<AgentMessage>(message.GetBuffer().AsSpan(0, (int)message.Length), Json);
                if (parsed is null)
                {
                    continue;
                }

                if (parsed.Type == AgentMessage.Response && parsed.Id is { } id && _pending.TryGetValue(id, out var waiting))
                {
                    waiting.TrySetResult(parsed);
                    continue;
                }

                await onMessage(parsed);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or JsonException)
        {
            // The connection is gone (or spoke nonsense): the caller decides whether to reconnect.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            FailPending();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
        {
            // Closing a broken socket: nothing more to do.
        }

        FailPending();
        _socket.Dispose();
        _sendLock.Dispose();
    }

    /// <summary>The exception on the calling side for an error the other side reported.</summary>
    public static Exception ToException(AgentError error) => error.Kind switch
    {
        "invalid-vm-state" => new InvalidVmStateException(error.Message),
        "guest-agent-unavailable" => new GuestAgentUnavailableException(error.Message),
        _ => new DriverException(error.Message, error.Transient),
    };

    /// <summary>The error to report for an exception raised while serving a call.</summary>
    public static AgentError ToError(Exception exception) => exception switch
    {
        InvalidVmStateException e => new AgentError("invalid-vm-state", e.Message, false),
        GuestAgentUnavailableException e => new AgentError("guest-agent-unavailable", e.Message, true),
        SkillVlException e => new AgentError("driver", e.Message, e.IsTransient),
        _ => new AgentError("internal", $"{exception.GetType().Name}: {exception.Message}", true),
    };

    private void FailPending()
    {
        foreach (var (id, waiting) in _pending)
        {
            waiting.TrySetResult(new AgentMessage
            {
                Type = AgentMessage.Response,
                Id = id,
                Error = new AgentError("driver", $"Node {_peer} disconnected.", Transient: true),
            });
        }
    }
}
