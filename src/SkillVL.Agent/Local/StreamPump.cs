namespace SkillVL.Agent.Local;

/// <summary>Copies two streams into each other until either side ends; then both copies stop.</summary>
public static class StreamPump
{
    public static async Task RunAsync(Stream a, Stream b, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var forward = CopyAsync(a, b, stop.Token);
        var backward = CopyAsync(b, a, stop.Token);
        await Task.WhenAny(forward, backward);
        await stop.CancelAsync();
        await Task.WhenAll(forward, backward).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await to.FlushAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away: the session is over.
        }
    }
}
