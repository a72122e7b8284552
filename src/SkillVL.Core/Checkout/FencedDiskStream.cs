namespace SkillVL.Core.Checkout;

/// <summary>
/// A fenced copy's disk opened for reading on the node that holds it (ADR 0044): its exact length and its bytes, in
/// order. On the embedded node the file itself; on an agent's node the bytes its agent sends back over a connection it
/// opened to the Server. Disposing it ends the transfer on the node as well.
/// </summary>
public sealed class FencedDiskStream(string vmId, int epoch, long length, Stream content) : IAsyncDisposable
{
    public string VmId { get; } = vmId;

    public int Epoch { get; } = epoch;

    /// <summary>The disk's size when it was opened: what a complete transfer delivers, to the byte.</summary>
    public long Length { get; } = length;

    /// <summary>The bytes, read once from the start (not seekable).</summary>
    public Stream Content { get; } = content;

    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
