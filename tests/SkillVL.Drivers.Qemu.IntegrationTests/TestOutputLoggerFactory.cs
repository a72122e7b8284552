using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SkillVL.Drivers.Qemu.IntegrationTests;

/// <summary>Sends the driver's logs to the test's output, so a failing test shows what the driver did.</summary>
public sealed class TestOutputLoggerFactory : ILoggerFactory
{
    private readonly ITestOutputHelper _output;
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;

    public TestOutputLoggerFactory(ITestOutputHelper output)
    {
        _output = output;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test already finished (a background continuation logged late).
        }
    }

    private sealed class Logger(TestOutputLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var elapsed = DateTimeOffset.UtcNow - factory._start;
            factory.Write($"{elapsed.TotalSeconds,7:0.000} {logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
        }
    }
}
