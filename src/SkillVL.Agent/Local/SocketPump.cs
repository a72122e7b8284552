using System.Net.Sockets;

namespace SkillVL.Agent.Local;

/// <summary>Raw bytes both ways between two sockets until either side closes (a local console session).</summary>
public static class SocketPump
{
    public static async Task RunAsync(Socket a, Socket b, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forward = CopyAsync(a, b, stop.Token);
        var backward = CopyAsync(b, a, stop.Token);
        await Task.WhenAny(forward, backward);
        await stop.CancelAsync();
        await Task.WhenAll(forward, backward).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task CopyAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: the session is over.
        }
    }
}
