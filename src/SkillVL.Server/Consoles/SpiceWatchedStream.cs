namespace SkillVL.Server.Consoles;

/// <summary>
/// A main channel's connection to QEMU, read through a <see cref="SpiceMainInitReader"/> until it names the session (ADR
/// 0056): the bytes pass unchanged; the session id is handed to <paramref name="named"/> before the bytes that carry it
/// reach the browser, so no channel the browser opens after reading the init can arrive before the id is known.
/// </summary>
internal sealed class SpiceWatchedStream(Stream inner, SpiceMainInitReader reader, Action<uint> named) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (!reader.Done && read > 0)
        {
            reader.Feed(buffer.Span[..read]);
            if (reader.SessionId is { } id)
            {
                named(id);
            }
        }

        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous reads only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous writes only");

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
