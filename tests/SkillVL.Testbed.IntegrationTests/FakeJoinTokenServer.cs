using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// Stands in for the Server's <c>POST /api/v1/nodes/join-tokens</c> and <c>DELETE /api/v1/nodes/{name}</c> on a unix
/// socket: answers each POST with a new token (<c>jt-1</c>, <c>jt-2</c>, …), each DELETE with 204 or what
/// <see cref="DeleteAnswers"/> says for that node, or 401 when <see cref="Refuse"/> is set, and records what it was
/// asked. Plain HTTP/1.1, one request per connection (it answers <c>Connection: close</c>).
/// </summary>
internal sealed class FakeJoinTokenServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _issued;

    public FakeJoinTokenServer(string socketPath)
    {
        SocketPath = socketPath;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string SocketPath { get; }

    public string Url => "unix:" + SocketPath;

    public bool Refuse { get; set; }

    /// <summary>Node name → status line for its DELETE (e.g. "404 Not Found"); others get "204 No Content".</summary>
    public ConcurrentDictionary<string, string> DeleteAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>"METHOD PATH|Authorization header" of every request.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }

        File.Delete(SocketPath);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var connection = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(connection));
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        await using (var stream = new NetworkStream(connection))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var head = await ReadHeadAsync(stream, timeout.Token);
            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            var authorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
            var length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } header
                ? int.Parse(header["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture)
                : 0;
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, timeout.Token);
            Requests.Enqueue($"{requestLine[0]} {requestLine[1]}|{authorization}");

            string status;
            string json;
            const string NodesPath = "/api/v1/nodes/";
            if (Refuse)
            {
                (status, json) = ("401 Unauthorized", """{"title":"Unauthorized"}""");
            }
            else if (requestLine[0] == "DELETE" && requestLine[1].StartsWith(NodesPath, StringComparison.Ordinal))
            {
                status = DeleteAnswers.GetValueOrDefault(requestLine[1][NodesPath.Length..], "204 No Content");
                json = status.StartsWith("204", StringComparison.Ordinal) ? "" : $$"""{"title":"{{status}}","detail":"test answer"}""";
            }
            else
            {
                var n = Interlocked.Increment(ref _issued);
                (status, json) = ("200 OK", string.Create(CultureInfo.InvariantCulture, $$"""{"token":"jt-{{n}}","expiresAt":"2099-01-01T00:00:00Z"}"""));
            }

            var bytes = Encoding.UTF8.GetBytes(json);
            var response = Encoding.ASCII.GetBytes(string.Create(
                CultureInfo.InvariantCulture,
                $"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(response, timeout.Token);
            await stream.WriteAsync(bytes, timeout.Token);
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }
}
