using System.Net.WebSockets;

namespace SkillVL.Agent.Remote;

/// <summary>Byte relays for consoles: a WebSocket (binary frames) and a console's byte stream.</summary>
public static class ConsoleRelay
{
    /// <summary>How long the other side has to answer our close before the socket is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Pumps between a WebSocket (binary frames) and a console's byte stream (ADR 0036) until either side closes or
    /// <paramref name="cancellationToken"/> is cancelled; returns the bytes moved (to the stream, to the WebSocket).
    /// </summary>
    /// <param name="closeWith">The status and reason our close carries, asked when the pump ends (the Server says why it
    /// ended a session, ADR 0046); null: a normal closure.</param>
    public static async Task<(long ToStream, long ToWebSocket)> PumpAsync(
        WebSocket webSocket, Stream stream, CancellationToken cancellationToken, Func<(WebSocketCloseStatus Status, string Reason)>? closeWith = null)
    {
        long toStream = 0, toWebSocket = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The receive has a token of its own, cancelled only after our close was sent: cancelling a pending receive
        // aborts the WebSocket (.NET's managed WebSocket), and an aborted socket can no longer say why it closed.
        using var receiving = new CancellationTokenSource();
        var down = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
            {
                await webSocket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
                toWebSocket += read;
            }
        }, CancellationToken.None);
        var up = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var received = await webSocket.ReceiveAsync(buffer, receiving.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await stream.WriteAsync(buffer.AsMemory(0, received.Count), stop.Token);
                toStream += received.Count;
            }
        }, CancellationToken.None);
        try
        {
            await Task.WhenAny(down, up, Task.Delay(Timeout.Infinite, stop.Token));
        }
        finally
        {
            await stop.CancelAsync();
            await down.ContinueWith(_ => { }, TaskScheduler.Default);
            var (status, reason) = closeWith?.Invoke() ?? (WebSocketCloseStatus.NormalClosure, "console closed");
            using (var timeout = new CancellationTokenSource(CloseTimeout))
            {
                // Begin the close (Open) or answer one the other side began (CloseReceived): never just drop it. Only the
                // output side here, as the receive above is still pending and waits for the other side's answer.
                var closing = webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived
                    ? webSocket.CloseOutputAsync(status, reason, timeout.Token)
                    : Task.CompletedTask;
                await closing.ContinueWith(_ => { }, TaskScheduler.Default);
                await up.WaitAsync(timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            await receiving.CancelAsync();
            await up.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return (toStream, toWebSocket);
    }
}
