using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using SkillVL.TestUtilities;

namespace SkillVL.LinkEmulator.IntegrationTests;

/// <summary>
/// A running <c>skillvl-linkem</c> (dotnet skillvl-linkem.dll from the test's output directory): its JSON
/// lines as they arrive, its stderr, and a clean stop by SIGTERM. Only this process is ever signalled, by pid.
/// </summary>
internal sealed partial class LinkemProcess : IAsyncDisposable
{
    private const int SIGTERM = 15;

    private readonly Process _process;
    private readonly List<LinkemLine> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly Stopwatch _clock;
    private int? _exitCode;
    private bool _disposed;

    private LinkemProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
    }

    public int Pid => _process.Id;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Lines so far, each with the test clock's time when it arrived.</summary>
    public IReadOnlyList<LinkemLine> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static LinkemProcess Start(IEnumerable<string> arguments, Stopwatch clock)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skillvl-linkem.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var linkem = new LinkemProcess(process, clock);
        process.OutputDataReceived += (_, e) => linkem.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (linkem._stderr)
                {
                    linkem._stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return linkem;
    }

    /// <summary>Waits for the <c>started</c> line (taps open, relay threads running).</summary>
    public async Task<JsonElement> WaitStartedAsync(TimeSpan timeout)
    {
        await Bounded.WaitUntilAsync(
            () => Lines.Any(l => l.Event == "started") || _process.HasExited,
            timeout,
            "skillvl-linkem to print its started line");
        return Lines.FirstOrDefault(l => l.Event == "started")?.Json
            ?? throw new InvalidOperationException($"skillvl-linkem exited ({_process.ExitCode}) before starting:\n{Stderr}");
    }

    /// <summary>Waits for the process to exit by itself; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"skillvl-linkem (pid {_process.Id}) did not exit within {timeout.TotalSeconds} s.", e);
        }

        _exitCode = _process.ExitCode;
        return _exitCode.Value;
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code (SIGKILL after <paramref name="timeout"/>).</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_exitCode is { } known)
        {
            return known;
        }

        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, SIGTERM);
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
                throw new TimeoutException($"skillvl-linkem (pid {_process.Id}) did not exit within {timeout.TotalSeconds} s of SIGTERM; killed it.");
            }
        }

        // The parameterless wait also drains the redirected output, so the last line is in.
        await _process.WaitForExitAsync();
        _exitCode = _process.ExitCode;
        return _exitCode.Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Killed or never started; nothing more to clean up.
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        var json = JsonDocument.Parse(line).RootElement.Clone();
        lock (_lines)
        {
            _lines.Add(new LinkemLine(_clock.Elapsed, json));
        }
    }
}
