using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkillVL.Core.Errors;

namespace SkillVL.Drivers.Qemu.GuestAgent;

/// <summary>
/// One connection to qemu-ga. The agent speaks QMP-style JSON without a greeting; because the virtio-serial
/// channel is one byte stream that outlives our connections, a reply to an earlier client's command may still
/// be in flight, so every session starts with <c>guest-sync-delimited</c> (qemu/docs/interop/qemu-ga-ref):
/// we send 0xFF (which makes the agent's JSON parser drop any half-read request), then the sync; the agent
/// answers with 0xFF followed by the sync reply, and everything before that marker is stale.
/// </summary>
internal sealed class GuestAgentSession : IAsyncDisposable
{
    private const byte Delimiter = 0xFF;

    /// <summary>Largest reply we accept; guest-exec-status carries at most the agent's 16 MiB output cap, base64-encoded.</summary>
    private const int MaxMessageBytes = 32 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _bufferStart;
    private int _bufferEnd;

    private GuestAgentSession(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Connects and synchronises. Throws <see cref="GuestAgentUnavailableException"/> when the socket is missing.</summary>
    public static async Task<GuestAgentSession> OpenAsync(string socketPath, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new GuestAgentUnavailableException($"Cannot connect to the guest agent socket {socketPath}: {e.Message}", e);
        }

        var session = new GuestAgentSession(socket);
        try
        {
            await session.SynchroniseAsync(cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a command and returns its <c>return</c> member; an <c>error</c> reply throws <see cref="GuestAgentCommandException"/>.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        await SendAsync(command, arguments, cancellationToken);
        var reply = await ReadMessageAsync(cancellationToken);
        if (reply["error"] is JsonObject error)
        {
            throw new GuestAgentCommandException(
                command, error["class"]?.ToString() ?? "GenericError", error["desc"]?.ToString() ?? "(no description)");
        }

        return reply["return"];
    }

    /// <summary>Sends a command without waiting for a reply (guest-shutdown does not answer on success).</summary>
    public async Task SendAsync(string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        var message = new JsonObject { ["execute"] = command };
        if (arguments is not null)
        {
            message["arguments"] = arguments;
        }

        await WriteAsync(Encoding.UTF8.GetBytes(message.ToJsonString() + "\n"), cancellationToken);
    }

    /// <summary>Reads the next JSON object; EndOfStreamException when the agent side closed.</summary>
    public async Task<JsonObject> ReadMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (JsonNode.Parse(line) is JsonObject message)
                {
                    return message;
                }
            }
            catch (JsonException)
            {
                // Garbage on the channel (e.g. the tail of an interrupted reply): skip the line.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer is gone already.
        }

        await _stream.DisposeAsync();
    }

    private async Task SynchroniseAsync(CancellationToken cancellationToken)
    {
        // Not cryptographic: only has to differ from the ids of syncs whose replies may still be in flight.
        var syncId = Random.Shared.NextInt64(1, long.MaxValue / 2);
        await WriteAsync([Delimiter], cancellationToken);
        await SendAsync("guest-sync-delimited", new JsonObject { ["id"] = syncId }, cancellationToken);
        while (true)
        {
            await SkipPastDelimiterAsync(cancellationToken);
            var reply = await ReadMessageAsync(cancellationToken);
            if (reply["return"] is JsonValue value && value.TryGetValue(out long returned) && returned == syncId)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException e)
        {
            throw new GuestAgentUnavailableException("The guest agent channel broke while sending.", e);
        }
    }

    private async Task SkipPastDelimiterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                await FillAsync(cancellationToken);
            }

            var index = Array.IndexOf(_buffer, Delimiter, _bufferStart, _bufferEnd - _bufferStart);
            if (index >= 0)
            {
                _bufferStart = index + 1;
                return;
            }

            _bufferStart = _bufferEnd;
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                await FillAsync(cancellationToken);
            }

            var index = Array.IndexOf(_buffer, (byte)'\n', _bufferStart, _bufferEnd - _bufferStart);
            var end = index >= 0 ? index : _bufferEnd;
            line.Write(_buffer, _bufferStart, end - _bufferStart);
            _bufferStart = index >= 0 ? index + 1 : _bufferEnd;
            if (line.Length > MaxMessageBytes)
            {
                throw new GuestAgentUnavailableException($"The guest agent sent a message over {MaxMessageBytes} bytes.");
            }

            if (index >= 0)
            {
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).Trim('\r');
            }
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer, cancellationToken);
        }
        catch (IOException e)
        {
            throw new EndOfStreamException("The guest agent channel broke.", e);
        }

        if (read == 0)
        {
            throw new EndOfStreamException("The guest agent channel closed.");
        }

        _bufferStart = 0;
        _bufferEnd = read;
    }
}
