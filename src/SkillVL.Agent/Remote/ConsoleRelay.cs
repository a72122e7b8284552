using System.Net.Sockets;
using System.Net.WebSockets;

namespace SkillVL.Agent.Remote;

/// <summary>Byte relays for consoles: a WebSocket (binary frames) and a console's unix socket, or two WebSockets.</summary>
public static class ConsoleRelay
{
    /// <summary>Pumps until either side closes; returns the bytes moved (to the socket, to the WebSocket).</summary>
    public static async Task<(long ToSocket, long ToWebSocket)> PumpAsync(WebSocket webSocket, Socket socket, CancellationToken cancellationToken)
    {
        long toSocket = 0, toWebSocket = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0)
            {
                await webSocket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
                toWebSocket += read;
            }
        }, stop.Token);
        var up = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var received = await webSocket.ReceiveAsync(buffer, stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), SocketFlags.None, stop.Token);
                toSocket += received.Count;
            }
        }, stop.Token);
        await FinishAsync(down, up, stop, webSocket);
        return (toSocket, toWebSocket);
    }

    /// <summary>Pumps between two WebSockets (the browser's and the agent's) until either closes.</summary>
    public static async Task<(long AToB, long BToA)> PumpAsync(WebSocket a, WebSocket b, CancellationToken cancellationToken)
    {
        long aToB = 0, bToA = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forward = Task.Run(async () => aToB = await CopyAsync(a, b, stop.Token), stop.Token);
        var backward = Task.Run(async () => bToA = await CopyAsync(b, a, stop.Token), stop.Token);
        await FinishAsync(forward, backward, stop, a, b);
        return (aToB, bToA);
    }

    private static async Task<long> CopyAsync(WebSocket from, WebSocket to, CancellationToken cancellationToken)
    {
        long total = 0;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await from.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return total;
            }

            await to.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Binary, received.EndOfMessage, cancellationToken);
            total += received.Count;
        }
    }

    private static async Task FinishAsync(Task one, Task other, CancellationTokenSource stop, params WebSocket[] sockets)
    {
        try
        {
            await Task.WhenAny(one, other);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(one, other).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var socket in sockets)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                // Answer a close the other side began (CloseReceived), or begin one (Open): never just drop it.
                var closing = socket.State switch
                {
                    WebSocketState.Open => socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "console closed", timeout.Token),
                    WebSocketState.CloseReceived => socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "console closed", timeout.Token),
                    _ => Task.CompletedTask,
                };
                await closing.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
