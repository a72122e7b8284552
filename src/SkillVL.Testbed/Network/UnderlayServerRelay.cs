using System.Net;
using System.Net.Sockets;

namespace SkillVL.Testbed.Network;

/// <summary>
/// Makes a Server that listens on a unix socket reachable over the testbed's underlay: a TCP listener on the
/// bridge's address (in the root namespace) that relays every connection to the socket. Agents given its URL talk
/// to the Server through their node's path — for a client node that is its emulated link, so the Server's traffic
/// to a laptop (template downloads, consoles) crosses the link and shows in its counters, as on a real WAN.
/// In-process only (see <see cref="Planning.UpRequest.AgentServerOnUnderlay"/>); disposing it closes the listener
/// and every relayed connection.
/// </summary>
public sealed class UnderlayServerRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _socketPath;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    private UnderlayServerRelay(TcpListener listener, string socketPath)
    {
        _listener = listener;
        _socketPath = socketPath;
        _accepting = AcceptAsync();
    }

    /// <summary>The Server's URL for agents on the underlay.</summary>
    public string Url => $"http://{_listener.LocalEndpoint}";

    /// <summary>Listens on <paramref name="address"/> (a free port) and relays to the unix socket <paramref name="socketPath"/>.</summary>
    public static UnderlayServerRelay Start(IPAddress address, string socketPath)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        return new UnderlayServerRelay(listener, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                client.NoDelay = true;
                await server.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), _stop.Token);
                await using var serverStream = new NetworkStream(server, ownsSocket: false);
                await using var clientStream = client.GetStream();
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(clientStream, serverStream, server, done.Token);
                var down = PumpAsync(serverStream, clientStream, client.Client, done.Token);
                await Task.WhenAny(up, down);
                await done.CancelAsync();
                await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // The agent or the Server went away; the other end is closed with this connection.
            }
        }
    }

    /// <summary>Copies until the source ends, then half-closes the destination so the other side sees the end too.</summary>
    private static async Task PumpAsync(Stream from, Stream to, Socket toSocket, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, cancellationToken);
            toSocket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // Ends the relay of this connection.
        }
    }
}
