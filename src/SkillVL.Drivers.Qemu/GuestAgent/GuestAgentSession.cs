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

    /// <summary>
    /// Longest JSON string kept from a reply unless the caller asks for more; the rest of the string is read and
    /// dropped. Only guest-exec-status carries long strings (the program's output, base64) and asks for its own cap.
    /// </summary>
    public const int DefaultMaxStringBytes = 64 * 1024;

    /// <summary>Smallest string cap accepted: above every member name qemu-ga uses, which must never be cut.</summary>
    internal const int MinStringBytes = 64;

    /// <summary>
    /// Most bytes of one reply line kept in memory (issue 11, finding 10). The line may be far longer (qemu-ga sends up
    /// to 16 MiB per stream, base64, in one line); what is past the string caps is consumed but not kept, so this only
    /// guards against a reply with no long strings but a mass of other tokens.
    /// </summary>
    private const int MaxRetainedBytes = 4 * 1024 * 1024;

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
    /// <param name="maxStringBytes">Each JSON string in the reply keeps at most this many (UTF-8) bytes; longer ones are cut there.</param>
    public async Task<JsonNode?> ExecuteAsync(
        string command, JsonObject? arguments, CancellationToken cancellationToken, int maxStringBytes = DefaultMaxStringBytes)
    {
        await SendAsync(command, arguments, cancellationToken);
        var reply = await ReadMessageAsync(cancellationToken, maxStringBytes);
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

    /// <summary>Most bytes any reply line of this session kept in memory so far (the bound that tests assert on).</summary>
    internal int LargestRetainedLine { get; private set; }

    /// <summary>Reads the next JSON object, each of its strings cut at <paramref name="maxStringBytes"/>; EndOfStreamException when the agent side closed.</summary>
    public async Task<JsonObject> ReadMessageAsync(CancellationToken cancellationToken, int maxStringBytes = DefaultMaxStringBytes)
    {
        while (true)
        {
            var line = await ReadLineAsync(maxStringBytes, cancellationToken);
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

    /// <summary>
    /// Reads one line, always to its end so the session stays in step with the agent, but keeps of each JSON string at
    /// most <paramref name="maxStringBytes"/> bytes. A small state machine (in a string or not, after a backslash or
    /// not) is enough because JSON strings cannot hold a raw newline; cutting here rather than after parsing is what
    /// keeps a 16 MiB guest-exec-status reply from ever being held whole (issue 11, finding 10). The cut string is
    /// still valid JSON: the dropped tail includes any escape begun past the cap, and the closing quote is kept.
    /// </summary>
    private async Task<string> ReadLineAsync(int maxStringBytes, CancellationToken cancellationToken)
    {
        // Member names are strings too and get the same cap; qemu-ga's are all far shorter than this floor.
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStringBytes, MinStringBytes);
        using var line = new MemoryStream();
        var inString = false;
        var escaped = false;
        var stringBytes = 0;
        var cut = false;
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                await FillAsync(cancellationToken);
            }

            while (_bufferStart < _bufferEnd)
            {
                var b = _buffer[_bufferStart++];
                if (!inString)
                {
                    if (b == (byte)'\n')
                    {
                        LargestRetainedLine = Math.Max(LargestRetainedLine, (int)line.Length);
                        return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).Trim('\r');
                    }

                    inString = b == (byte)'"';
                    stringBytes = 0;
                    cut = false;
                    line.WriteByte(b);
                }
                else if (b == (byte)'\n')
                {
                    // Not JSON (a raw newline inside a string): hand over what there is; the parser skips it.
                    LargestRetainedLine = Math.Max(LargestRetainedLine, (int)line.Length);
                    return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
                }
                else
                {
                    var closes = !escaped && b == (byte)'"';
                    var startsEscape = !escaped && b == (byte)'\\';
                    // An escape is kept whole or not at all: one is begun only with room for its longest form (\uXXXX).
                    if (!closes && !cut && !escaped && stringBytes + (startsEscape ? 6 : 1) > maxStringBytes)
                    {
                        cut = true;
                    }

                    if (closes || !cut)
                    {
                        line.WriteByte(b);
                        stringBytes++;
                    }

                    escaped = startsEscape;
                    inString = !closes;
                }

                if (line.Length > MaxRetainedBytes)
                {
                    throw new GuestAgentUnavailableException($"The guest agent sent a message with over {MaxRetainedBytes} bytes outside long strings.");
                }
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
