using System.Threading.Channels;

namespace SkillVL.Agent.Consoles;

/// <summary>One client's end of a <see cref="SerialConsoleHub"/>: reads the guest's output queued for it, writes go to
/// the guest through the hub, and disposing it detaches it.</summary>
public sealed class SerialConsoleClientStream(SerialConsoleHub hub, Channel<ReadOnlyMemory<byte>> queue) : Stream
{
    private ReadOnlyMemory<byte> _rest;
    private int _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public bool Offer(ReadOnlyMemory<byte> chunk) => queue.Writer.TryWrite(chunk);

    public void End(Exception? error) => queue.Writer.TryComplete(error);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_rest.IsEmpty)
        {
            try
            {
                if (!await queue.Reader.WaitToReadAsync(cancellationToken) || !queue.Reader.TryRead(out _rest))
                {
                    return 0;
                }
            }
            catch (ChannelClosedException e)
            {
                throw new IOException(e.InnerException?.Message ?? "the serial console ended", e);
            }
        }

        var count = Math.Min(buffer.Length, _rest.Length);
        _rest[..count].CopyTo(buffer);
        _rest = _rest[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        hub.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            End(null);
            hub.Detach(this);
        }

        base.Dispose(disposing);
    }
}
