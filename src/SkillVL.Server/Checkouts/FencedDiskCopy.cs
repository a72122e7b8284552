using SkillVL.Core.Checkout;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// Copies a fenced disk from its node to a download (ADR 0044), bounded: a read that brings nothing for
/// <see cref="StallTimeout"/> ends it, and so does the caller going away. The node's stream ends at its close; a copy
/// that got fewer (or more) bytes than the disk's length is not complete, whatever the node said.
/// </summary>
public static class FencedDiskCopy
{
    public const string Completed = "completed";
    public const string Aborted = "aborted";
    public const string Failed = "failed";

    /// <summary>Longer than the agent's own stall bound per frame, so the side that can say why fails first.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(3);

    private const int BufferBytes = 256 * 1024;

    /// <summary>Returns the outcome (<see cref="Completed"/>, <see cref="Aborted"/>: the caller went away,
    /// <see cref="Failed"/>: the node stopped sending or sent a wrong length), the bytes written and why not.</summary>
    public static async Task<(string Outcome, long Sent, string? Reason)> CopyAsync(
        FencedDiskStream disk, Stream target, CancellationToken cancellationToken, TimeSpan? stall = null)
    {
        var buffer = new byte[BufferBytes];
        long sent = 0;
        try
        {
            while (true)
            {
                using var read = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                read.CancelAfter(stall ?? StallTimeout);
                int count;
                try
                {
                    count = await disk.Content.ReadAsync(buffer, read.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return (Failed, sent, $"nothing arrived from the node for {(stall ?? StallTimeout).TotalSeconds:0} s");
                }

                if (count == 0)
                {
                    return sent == disk.Length ? (Completed, sent, null) : (Failed, sent, $"the node's stream ended after {sent} of {disk.Length} bytes");
                }

                if (sent + count > disk.Length)
                {
                    return (Failed, sent, $"the node sent more than the disk's {disk.Length} bytes");
                }

                await target.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
                sent += count;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (Aborted, sent, "the download was cancelled");
        }
        catch (Exception e) when (e is IOException or System.Net.WebSockets.WebSocketException)
        {
            return (cancellationToken.IsCancellationRequested ? Aborted : Failed, sent, e.Message);
        }
    }
}
