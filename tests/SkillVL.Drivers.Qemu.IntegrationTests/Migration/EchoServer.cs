using System.Net.Sockets;

namespace SkillVL.Drivers.Qemu.IntegrationTests.Migration;

/// <summary>A unix-socket server that sends back whatever it receives, and ends its side when the client ends its.</summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    private EchoServer(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public static EchoServer Start(string path)
    {
        var server = new EchoServer(path);
        server._listener.Bind(new UnixDomainSocketEndPoint(path));
        server._listener.Listen(8);
        _ = server.AcceptLoopAsync();
        return server;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
        File.Delete(Path);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    var buffer = new byte[64 * 1024];
                    try
                    {
                        int read;
                        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                        {
                            await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                        }

                        connection.Shutdown(SocketShutdown.Send);
                    }
                    catch (SocketException)
                    {
                        // The tunnel aborted the connection.
                    }
                }
            });
        }
    }
}
