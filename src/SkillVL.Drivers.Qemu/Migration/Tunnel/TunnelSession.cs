using System.Collections.Concurrent;
using System.Net.Sockets;

namespace SkillVL.Drivers.Qemu.Migration.Tunnel;

/// <summary>One VM's tunnel in one direction: its listeners, every socket it opened or accepted, its tasks.</summary>
internal sealed class TunnelSession(string vmId, TunnelTls tls, IReadOnlyList<Socket> listeners, IReadOnlyList<string> files) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();

    public string VmId => vmId;

    public TunnelTls Tls => tls;

    public TunnelCounters Counters { get; } = new();

    public CancellationToken Stopping => _stop.Token;

    public void Own(Socket socket)
    {
        _sockets[socket] = 0;
        if (_stop.IsCancellationRequested)
        {
            socket.Dispose();
        }
    }

    /// <summary>Accepts on <paramref name="listener"/> until the session stops; each connection is owned by the session
    /// (closed with it) and served by <paramref name="serve"/>, tracked so a close waits for it.</summary>
    public async Task AcceptLoopAsync(Socket listener, Func<Socket, Task> serve)
    {
        while (!Stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(Stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Own(accepted);
            Track(serve(accepted));
        }
    }

    public void Track(Task task)
    {
        _tasks[task] = 0;
        _ = task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
    }

    public async Task DrainAsync(TimeSpan timeout)
    {
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }

        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException)
        {
            // What is still open after the wait is aborted by the close that follows.
        }
    }

    public async Task CloseAsync(TimeSpan timeout)
    {
        await _stop.CancelAsync();
        foreach (var listener in listeners)
        {
            listener.Dispose();
        }

        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(timeout);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException)
        {
            // Tasks end on their own once their sockets are gone; nothing waits for them any more.
        }

        foreach (var file in files)
        {
            File.Delete(file);
        }

        Dispose();
    }

    public void Dispose()
    {
        tls.Dispose();
        _stop.Dispose();
    }
}
