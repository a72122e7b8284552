using System.Threading.Channels;

namespace SkillVL.Server.Logging;

/// <summary>
/// Writes every record that passes the log filters to a <see cref="RollingLogFile"/>, formatted and redacted by
/// <see cref="LogLine"/>. Logging must never block a request on the disk: records go through a bounded queue to one
/// writer task; when the disk cannot keep up, records are dropped and the next written line says how many.
/// </summary>
[ProviderAlias("File")]
public sealed class RollingFileLoggerProvider : ILoggerProvider
{
    /// <summary>Queued records at most (about 10 MiB at 200 bytes each) before new ones are dropped.</summary>
    private const int QueueCapacity = 50_000;

    private readonly Channel<string> _queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly RollingLogFile _file;
    private readonly TimeProvider _time;
    private readonly Task _writer;
    private long _dropped;

    public RollingFileLoggerProvider(RollingLogFile file, TimeProvider time)
    {
        _file = file;
        _time = time;
        _writer = Task.Run(WriteAsync);
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        // Bounded: a stuck disk must not hold up the process's exit.
        _writer.Wait(TimeSpan.FromSeconds(5));
        _file.Dispose();
    }

    private void Enqueue(string record)
    {
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                if (Interlocked.Exchange(ref _dropped, 0) is > 0 and var dropped)
                {
                    _file.Write(LogLine.Format(_time.GetUtcNow(), LogLevel.Warning, typeof(RollingFileLoggerProvider).FullName!, default,
                        $"{dropped} log record(s) dropped: the log file could not keep up", null));
                }

                while (reader.TryRead(out var record))
                {
                    _file.Write(record);
                }

                _file.Flush();
            }
            catch (IOException)
            {
                // A full or failing disk: the records are lost, the Server keeps running; stdout still has them.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }

    private sealed class FileLogger(RollingFileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            provider.Enqueue(LogLine.Format(provider._time.GetUtcNow(), logLevel, category, eventId, formatter(state, exception), exception));
        }
    }
}
