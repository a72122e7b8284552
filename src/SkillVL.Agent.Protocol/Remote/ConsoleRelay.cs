using System.Net.WebSockets;

namespace SkillVL.Agent.Remote;

/// <summary>Byte relays for consoles: a WebSocket (binary frames) and a console's byte stream.</summary>
public static class ConsoleRelay
{
    /// <summary>
    /// Pumps between a WebSocket (binary frames) and a console's byte stream (ADR 0036) until either side closes; returns
    /// the bytes moved (to the stream, to the WebSocket).
    /// </summary>
    public static async Task<(long ToStream, long ToWebSocket)> PumpAsync(WebSocket webSocket, Stream stream, CancellationToken cancellationToken)
    {
        long toStream = 0, toWebSocket = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
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

                await stream.WriteAsync(buffer.AsMemory(0, received.Count), stop.Token);
                toStream += received.Count;
            }
        }, stop.Token);
        await FinishAsync(down, up, stop, webSocket);
        return (toStream, toWebSocket);
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
