using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SkillVL.Drivers.Qemu.Tests.Fakes;

/// <summary>
/// A fake qemu-ga behind a unix socket, behaving as the real one does on its byte stream: no greeting, a 0xFF
/// byte yields a parse-error reply, guest-sync-delimited answers with 0xFF before the JSON, guest-shutdown
/// never answers. Scripts override single commands.
/// </summary>
public sealed class FakeGuestAgent : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeGuestAgent(string socketPath)
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(4);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Bytes sent right after a client connects, before anything else (a stale reply from an earlier session).</summary>
    public string? StaleOnConnect { get; set; }

    /// <summary>When true the agent reads but never answers (not started in the guest).</summary>
    public bool Silent { get; set; }

    /// <summary>Answers to guest-exec-status calls, in order; the last one repeats.</summary>
    public List<JsonObject> ExecStatuses { get; } = [];

    /// <summary>Once a second guest-exec (the kill of a timed-out program) came, every status is this one; null: no such change.</summary>
    public JsonObject? StatusAfterKill { get; set; }

    /// <summary>guest-exec calls over all connections.</summary>
    private int _execs;

    /// <summary>The error reply of guest-exec, or null to start the program.</summary>
    public string? ExecError { get; set; }

    public List<string> Commands { get; } = [];

    public List<JsonObject> Requests { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // One client at a time, like a chardev socket.
            await ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            if (StaleOnConnect is not null)
            {
                await socket.SendAsync(Encoding.Latin1.GetBytes(StaleOnConnect));
            }

            var pending = new List<byte>();
            var buffer = new byte[4096];
            var statusIndex = 0;
            while (!_stop.IsCancellationRequested)
            {
                var read = await socket.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                foreach (var b in buffer.Take(read).ToArray())
                {
                    if (b == 0xFF)
                    {
                        pending.Clear();
                        if (!Silent)
                        {
                            await SendAsync(socket, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\uFFFD'\"}}\n");
                        }

                        continue;
                    }

                    if (b != (byte)'\n')
                    {
                        pending.Add(b);
                        continue;
                    }

                    var request = (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString([.. pending]))!;
                    pending.Clear();
                    var command = request["execute"]!.GetValue<string>();
                    lock (Commands)
                    {
                        Commands.Add(command);
                        Requests.Add(request);
                    }

                    if (Silent)
                    {
                        continue;
                    }

                    switch (command)
                    {
                        case "guest-sync-delimited":
                            await SendAsync(socket, "\xFF", latin1: true);
                            await SendAsync(socket, new JsonObject { ["return"] = request["arguments"]!["id"]!.DeepClone() }.ToJsonString() + "\n");
                            break;
                        case "guest-ping":
                            await SendAsync(socket, "{\"return\": {}}\n");
                            break;
                        case "guest-exec":
                            _execs++;
                            await SendAsync(socket, ExecError is null
                                ? "{\"return\": {\"pid\": 4242}}\n"
                                : new JsonObject { ["error"] = new JsonObject { ["class"] = "GenericError", ["desc"] = ExecError } }.ToJsonString() + "\n");
                            break;
                        case "guest-exec-status":
                            var status = _execs > 1 && StatusAfterKill is not null ? StatusAfterKill : ExecStatuses[Math.Min(statusIndex++, ExecStatuses.Count - 1)];
                            await SendAsync(socket, new JsonObject { ["return"] = status.DeepClone() }.ToJsonString() + "\n");
                            break;
                        case "guest-shutdown":
                            // The real agent powers the guest off and dies without a reply.
                            return;
                        default:
                            await SendAsync(socket, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"unknown\"}}\n");
                            break;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task SendAsync(Socket socket, string text, bool latin1 = false) =>
        await socket.SendAsync(latin1 ? Encoding.Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));
}
