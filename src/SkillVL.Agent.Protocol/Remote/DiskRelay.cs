using System.Net.WebSockets;
using SkillVL.Core.Errors;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The agent's end of a fenced disk's transfer (ADR 0044): sends a stream's bytes as binary frames over the WebSocket the
/// agent opened back to the Server, then closes it. The Server reads it as a stream that ends at the close.
/// </summary>
public static class DiskRelay
{
    /// <summary>A frame: large enough that framing costs nothing, small enough that a stall is noticed per frame.</summary>
    private const int FrameBytes = 256 * 1024;

    /// <summary>How long one frame may take to leave before the transfer counts as stalled (the reader went away
    /// without closing, or the link is dead): at 64 kbit/s a frame takes about 33 s.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends every byte of <paramref name="content"/> and closes the socket; returns the bytes sent. A frame that
    /// does not leave within <paramref name="stall"/> ends the transfer (a <see cref="DriverException"/>); so does
    /// <paramref name="cancellationToken"/>.</summary>
    public static async Task<long> SendAsync(WebSocket socket, Stream content, TimeSpan stall, CancellationToken cancellationToken)
    {
        var buffer = new byte[FrameBytes];
        long sent = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            using var frame = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            frame.CancelAfter(stall);
            try
            {
                await socket.SendAsync(buffer.AsMemory(0, read), WebSocketMessageType.Binary, endOfMessage: true, frame.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Abort();
                throw new DriverException($"The fenced disk's transfer stalled after {sent} bytes: no frame left within {stall.TotalSeconds:0} s.", isTransient: true);
            }

            sent += read;
        }

        // The close says "complete": the reader's stream ends there, and it compares what it got with the length.
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        closing.CancelAfter(CloseTimeout);
        try
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "disk sent", closing.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Every byte left; a reader that does not answer the close has them or has gone.
            socket.Abort();
        }

        return sent;
    }
}
