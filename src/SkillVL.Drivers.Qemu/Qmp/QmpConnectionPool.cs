using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Qmp;

/// <summary>
/// One QMP connection per VM, shared by everything in this process that talks to it. QEMU serves a single
/// client per QMP socket, so a second connection from the same process (say a status query during a
/// 30-second graceful stop) would wait for the first; commands multiplex on one connection by id instead.
/// Broken connections are replaced on the next use.
/// </summary>
public sealed class QmpConnectionPool : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private bool _disposed;

    public QmpConnectionPool(TimeSpan timeout, TimeProvider timeProvider, ILogger logger)
    {
        _timeout = timeout;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Returns the live connection to <paramref name="socketPath"/>, connecting if there is none.</summary>
    public async Task<QmpClient> GetAsync(string socketPath, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var entry = _entries.GetOrAdd(socketPath, static _ => new Entry());
        await entry.Lock.WaitAsync(cancellationToken);
        try
        {
            if (entry.Client is { IsConnected: true } client)
            {
                return client;
            }

            if (entry.Client is not null)
            {
                await entry.Client.DisposeAsync();
                entry.Client = null;
            }

            entry.Client = await QmpClient.ConnectAsync(socketPath, _timeout, _timeProvider, _logger, cancellationToken);
            return entry.Client;
        }
        finally
        {
            entry.Lock.Release();
        }
    }

    /// <summary>Closes the connection to <paramref name="socketPath"/> (the VM stopped, or we want a fresh one).</summary>
    public async Task DropAsync(string socketPath)
    {
        if (_entries.TryGetValue(socketPath, out var entry))
        {
            await entry.Lock.WaitAsync();
            try
            {
                if (entry.Client is not null)
                {
                    await entry.Client.DisposeAsync();
                    entry.Client = null;
                }
            }
            finally
            {
                entry.Lock.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var entry in _entries.Values)
        {
            if (entry.Client is not null)
            {
                await entry.Client.DisposeAsync();
            }

            entry.Lock.Dispose();
        }

        _entries.Clear();
    }

    private sealed class Entry
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public QmpClient? Client { get; set; }
    }
}
