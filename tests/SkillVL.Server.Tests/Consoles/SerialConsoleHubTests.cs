using System.Net.Sockets;
using System.Text;
using SkillVL.Agent.Consoles;

namespace SkillVL.Server.Tests.Consoles;

/// <summary>
/// ADR 0054: a VM's serial console shared on the node. The "guest" is a unix socket that, like QEMU's chardev, takes one
/// connection at a time; every client sees its output, every client's input reaches it, a client that does not read is
/// dropped without holding the others up, and the last one out closes the one connection.
/// </summary>
public sealed class SerialConsoleHubTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("svl-serial-hub-").FullName;
    private Socket _listener = null!;
    private int _connections;
    private bool _closed;

    public Task InitializeAsync()
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(_directory, "serial.sock")));
        _listener.Listen(1);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TwoClients_BothSeeTheOutput_BothInputsReachTheGuest_LastOneOutDisconnects()
    {
        var hub = NewHub();
        await using var student = (await hub.AttachAsync(CancellationToken.None))!;
        using var guest = await _listener.AcceptAsync().WaitAsync(Bound);
        await using var teacher = (await hub.AttachAsync(CancellationToken.None))!;

        await guest.SendAsync(Encoding.ASCII.GetBytes("login: "));
        Assert.Equal("login: ", await ReadAsync(student, 7));
        Assert.Equal("login: ", await ReadAsync(teacher, 7));

        await student.WriteAsync(Encoding.ASCII.GetBytes("root\r"));
        await teacher.WriteAsync(Encoding.ASCII.GetBytes("ls\r"));
        Assert.Equal("root\rls\r", await ReceiveAsync(guest, 8));
        Assert.Equal(1, _connections);
        Assert.Equal(2, hub.ClientCount);

        await teacher.DisposeAsync();
        await guest.SendAsync(Encoding.ASCII.GetBytes("# "));
        Assert.Equal("# ", await ReadAsync(student, 2));

        await student.DisposeAsync();
        var buffer = new byte[1];
        Assert.Equal(0, await guest.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound)); // the hub's connection closed
        Assert.True(_closed);
        Assert.Null(await hub.AttachAsync(CancellationToken.None)); // a closed hub is replaced by its owner
    }

    [Fact]
    public async Task AClientThatDoesNotRead_IsDropped_TheOtherKeepsUp()
    {
        var hub = NewHub();
        await using var reader = (await hub.AttachAsync(CancellationToken.None))!;
        using var guest = await _listener.AcceptAsync().WaitAsync(Bound);
        await using var stuck = (await hub.AttachAsync(CancellationToken.None))!;

        // More chunks than a client may have queued: the reader takes each as it comes, the stuck client none.
        var chunk = new byte[1024];
        for (var i = 0; i < SerialConsoleHub.MaxQueuedChunks + 64; i++)
        {
            chunk[0] = (byte)i;
            await guest.SendAsync(chunk);
            await ReadAsync(reader, chunk.Length);
        }

        Assert.Equal(1, hub.ClientCount);
        var failure = await Assert.ThrowsAsync<IOException>(async () =>
        {
            var sink = new byte[64 * 1024];
            while (await stuck.ReadAsync(sink).AsTask().WaitAsync(Bound) > 0)
            {
            }
        });
        Assert.Contains("fell more than", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheGuestGoing_EndsEveryClient()
    {
        var hub = NewHub();
        await using var a = (await hub.AttachAsync(CancellationToken.None))!;
        await using var b = (await hub.AttachAsync(CancellationToken.None))!;
        using (var guest = await _listener.AcceptAsync().WaitAsync(Bound))
        {
            guest.Shutdown(SocketShutdown.Both);
        }

        Assert.Equal(0, await a.ReadAsync(new byte[8]).AsTask().WaitAsync(Bound));
        Assert.Equal(0, await b.ReadAsync(new byte[8]).AsTask().WaitAsync(Bound));
        Assert.True(_closed);
        await Assert.ThrowsAsync<IOException>(async () => await a.WriteAsync(new byte[] { 1 }));
    }

    private SerialConsoleHub NewHub() => new(
        async ct =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(_directory, "serial.sock")), ct);
            Interlocked.Increment(ref _connections);
            return new NetworkStream(socket, ownsSocket: true);
        },
        _ => _closed = true);

    private static async Task<string> ReadAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Bound);
        return Encoding.ASCII.GetString(buffer);
    }

    private static async Task<string> ReceiveAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            read += await socket.ReceiveAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Bound);
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
