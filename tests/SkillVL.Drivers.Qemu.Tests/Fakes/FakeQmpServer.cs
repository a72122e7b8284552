using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace SkillVL.Drivers.Qemu.Tests.Fakes;

/// <summary>
/// A scripted QMP server on a unix socket: sends QEMU 7.2's greeting, answers qmp_capabilities, and hands every
/// other command to the test's script, which replies, interleaves events, stays silent or hangs up.
/// </summary>
public sealed class FakeQmpServer : IAsyncDisposable
{
    private const string Greeting =
        "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, \"package\": \"Debian\"}, \"capabilities\": [\"oob\"]}}";

    private readonly Socket _listener;
    private readonly Func<JsonObject, Connection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    public FakeQmpServer(string socketPath, Func<JsonObject, Connection, Task> script, bool greet = true)
    {
        SocketPath = socketPath;
        _script = script;
        Greet = greet;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(4);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public bool Greet { get; }

    /// <summary>Every command received, in order (qmp_capabilities included).</summary>
    public List<string> Commands { get; } = [];

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

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var connection = new Connection(socket);
        try
        {
            if (Greet)
            {
                await connection.SendAsync(Greeting);
            }

            using var reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
            while (!_stop.IsCancellationRequested && !connection.Closed)
            {
                var line = await reader.ReadLineAsync(_stop.Token);
                if (line is null)
                {
                    return;
                }

                var request = (JsonObject)JsonNode.Parse(line)!;
                var command = request["execute"]!.GetValue<string>();
                lock (Commands)
                {
                    Commands.Add(command);
                }

                if (command == "qmp_capabilities")
                {
                    await connection.ReplyAsync(request, new JsonObject());
                }
                else
                {
                    await _script(request, connection);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public sealed class Connection : IDisposable
    {
        private readonly Socket _socket;
        private readonly SemaphoreSlim _write = new(1, 1);

        public Connection(Socket socket)
        {
            _socket = socket;
        }

        public bool Closed { get; private set; }

        public async Task SendAsync(string line)
        {
            await _write.WaitAsync();
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
            }
            finally
            {
                _write.Release();
            }
        }

        public Task ReplyAsync(JsonObject request, JsonNode result) =>
            SendAsync(new JsonObject { ["return"] = result, ["id"] = request["id"]!.DeepClone() }.ToJsonString());

        public Task ErrorAsync(JsonObject request, string errorClass, string description) =>
            SendAsync(new JsonObject
            {
                ["error"] = new JsonObject { ["class"] = errorClass, ["desc"] = description },
                ["id"] = request["id"]!.DeepClone(),
            }.ToJsonString());

        public Task EventAsync(string name, JsonObject? data = null)
        {
            var message = new JsonObject
            {
                ["timestamp"] = new JsonObject { ["seconds"] = 1700000000, ["microseconds"] = 250 },
                ["event"] = name,
            };
            if (data is not null)
            {
                message["data"] = data;
            }

            return SendAsync(message.ToJsonString());
        }

        public void Close()
        {
            Closed = true;
            _socket.Shutdown(SocketShutdown.Both);
            _socket.Close();
        }

        public void Dispose()
        {
            _socket.Dispose();
            _write.Dispose();
        }
    }
}
