using System.Threading.Channels;

namespace SkillVL.Agent.Consoles;

/// <summary>
/// One VM's serial console shared by several clients (ADR 0054). QEMU's serial chardev serves one client at a time: a
/// second connection waits, unseen, until the first leaves. The hub holds the one connection to QEMU while anyone is
/// attached, sends what the guest writes to every client, and passes every client's input to the guest in the order it
/// arrives (a watcher's input is dropped before it gets here, at the Server). A client that does not read its share
/// (more than <see cref="MaxQueuedChunks"/> chunks behind) is dropped rather than slowing the others; the last one to
/// leave closes the connection, so the chardev is free again.
/// </summary>
public sealed class SerialConsoleHub(Func<CancellationToken, Task<Stream>> connect, Action<SerialConsoleHub> closed) : IDisposable
{
    /// <summary>At 16 KiB a chunk, 16 MiB of a guest's output: far more than a console's screenful.</summary>
    public const int MaxQueuedChunks = 1024;

    private readonly Lock _gate = new();
    private readonly List<SerialConsoleClientStream> _clients = [];
    private readonly SemaphoreSlim _writes = new(1, 1);
    private Stream? _upstream;
    private Task? _pump;
    private bool _closed;

    public int ClientCount
    {
        get
        {
            lock (_gate)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>A new client's stream; connects to QEMU first when nobody is attached. False when the hub has closed
    /// (its guest's console went away) — the caller makes a new hub.</summary>
    public async Task<Stream?> AttachAsync(CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return null;
                }
            }

            if (_upstream is null)
            {
                _upstream = await connect(cancellationToken);
                _pump = Task.Run(PumpAsync, CancellationToken.None);
            }

            var client = new SerialConsoleClientStream(this, Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(MaxQueuedChunks) { SingleReader = true, SingleWriter = true }));
            lock (_gate)
            {
                _clients.Add(client);
            }

            return client;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>A client's input, to the guest; an IOException once the console is gone.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken);
        try
        {
            var upstream = Volatile.Read(ref _closed) ? null : _upstream;
            if (upstream is null)
            {
                throw new IOException("the serial console is closed");
            }

            await upstream.WriteAsync(input, cancellationToken);
            await upstream.FlushAsync(cancellationToken);
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the serial console is closed", e);
        }
        finally
        {
            _writes.Release();
        }
    }

    public void Detach(SerialConsoleClientStream client)
    {
        bool last;
        lock (_gate)
        {
            last = _clients.Remove(client) && _clients.Count == 0;
        }

        if (last)
        {
            Close();
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await _upstream!.ReadAsync(buffer)) > 0)
            {
                var chunk = buffer.AsSpan(0, read).ToArray();
                SerialConsoleClientStream[] clients;
                lock (_gate)
                {
                    clients = [.. _clients];
                }

                foreach (var client in clients.Where(c => !c.Offer(chunk)))
                {
                    client.End(new IOException($"the client fell more than {MaxQueuedChunks} chunks behind the guest's output"));
                    Detach(client);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The guest's console went away (VM stopped) or the hub closed it: every client's stream ends below.
        }

        Close();
    }

    /// <summary>Ends every client and the connection to QEMU (the node's agent is stopping).</summary>
    public void Dispose()
    {
        Close();
        _writes.Dispose();
    }

    private void Close()
    {
        SerialConsoleClientStream[] clients;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            clients = [.. _clients];
            _clients.Clear();
        }

        foreach (var client in clients)
        {
            client.End(null);
        }

        _upstream?.Dispose();
        closed(this);
    }
}
