using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using SkillVL.Drivers.Qemu.Streams;
using ZstdSharp;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>
/// Carries one connection between a local QEMU socket and the other node's tunnel: what QEMU writes is compressed
/// (zstd) into the TLS stream, what arrives is decompressed and written to QEMU. Each direction is one zstd stream,
/// flushed whenever QEMU has nothing more to read at once, so request/response traffic (NBD) is never held back while
/// bulk traffic (the disk, RAM) is compressed in large blocks. An end of one direction is passed on (zstd end frame,
/// TLS close_notify, socket shutdown) so the other side sees EOF after the last byte; a failure of either ends both.
/// </summary>
internal static class TunnelPipe
{
    private const int BufferSize = 256 * 1024;

    public static async Task RunAsync(Socket local, SslStream remote, int level, TunnelCounters counters, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var send = SendAsync(local, remote, level, counters, stop.Token);
        var receive = ReceiveAsync(remote, local, counters, stop.Token);
        try
        {
            var first = await Task.WhenAny(send, receive);
            if (!first.IsCompletedSuccessfully)
            {
                await stop.CancelAsync();
            }

            await Task.WhenAll(send, receive);
        }
        finally
        {
            local.Dispose();
            await remote.DisposeAsync();
        }
    }

    private static async Task SendAsync(Socket local, SslStream remote, int level, TunnelCounters counters, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var wire = new CountingStream(remote, _ => { }, counters.AddWireSent);
            await using (var zstd = new CompressionStream(wire, level, leaveOpen: true))
            {
                while (true)
                {
                    var read = await local.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    counters.AddRawSent(read);
                    await zstd.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    if (local.Available == 0)
                    {
                        await zstd.FlushAsync(cancellationToken);
                    }
                }
            }

            // The end frame is out; close_notify tells the other tunnel this direction is done. A peer that went first
            // fails the goodbye with OpenSSL's own exception type (internal to .NET, not an IOException: seen under load in
            // CheckinCancelTests, where it escaped the tunnel's drain): this direction is over either way.
            try
            {
                await remote.ShutdownAsync();
            }
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task ReceiveAsync(SslStream remote, Socket local, TunnelCounters counters, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var wire = new CountingStream(remote, counters.AddWireReceived, _ => { });
            await using (var zstd = new DecompressionStream(wire, leaveOpen: true))
            {
                while (true)
                {
                    var read = await zstd.ReadAsync(buffer.AsMemory(), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    await local.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
                    counters.AddRawReceived(read);
                }
            }

            local.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
