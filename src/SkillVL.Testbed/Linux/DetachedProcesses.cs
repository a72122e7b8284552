using System.Diagnostics;
using System.Runtime.InteropServices;
using SkillVL.Testbed.State;

namespace SkillVL.Testbed.Linux;

/// <summary>
/// Starts processes that outlive <c>skillvl-testbed</c> (own session, output appended to a log file, stdin from
/// /dev/null) and stops them again by pid — only after checking that the pid still belongs to the process that
/// was started (its start time), never by name.
/// </summary>
internal sealed class DetachedProcesses(TimeProvider time)
{
    /// <summary>How long a process gets between SIGTERM and SIGKILL (an agent may be mid-write to its database).</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    // `sh` redirects, then execs setsid, which (not being a process-group leader: .NET does not make its children
    // leaders) calls setsid() in place and execs the command. Every step is an exec, so the pid Process.Start
    // reports is the command's own. The session makes it immune to the terminal's SIGHUP and Ctrl+C.
    private const string Launcher = "log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null";

    /// <summary>Starts <paramref name="command"/> detached with stdout and stderr appended to <paramref name="log"/>.</summary>
    /// <param name="what">What it is, for messages ("the agent of node1").</param>
    public async Task<ProcessRecord> StartAsync(string what, IReadOnlyList<string> command, string log, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", Launcher, "skillvl-testbed-launch", log, .. command])
        {
            start.ArgumentList.Add(argument);
        }

        int pid;
        using (var process = Process.Start(start) ?? throw new TestbedException($"cannot start {command[0]}"))
        {
            // Disposing the handle does not touch the process; the runtime still reaps it if it exits while we run.
            pid = process.Id;
        }

        var stat = ProcessStat.Read(pid);
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(5);
        while (stat is not null && !stat.HasExited && stat.SessionId != pid && time.GetUtcNow() < deadline)
        {
            await Task.Delay(Poll, time, cancellationToken);
            stat = ProcessStat.Read(pid);
        }

        if (stat is null || stat.HasExited)
        {
            throw new TestbedException($"{what} exited at once; {LogTail(log)}");
        }

        if (stat.SessionId != pid)
        {
            throw new TestbedException($"{what} (pid {pid}) did not get its own session within 5 s");
        }

        return new ProcessRecord(pid, stat.StartTime, command, log);
    }

    /// <summary>Whether the process of <paramref name="record"/> still runs (same pid and start time, not a zombie).</summary>
    public static bool IsAlive(ProcessRecord record) =>
        ProcessStat.Read(record.Pid) is { HasExited: false } stat && stat.StartTime == record.StartTime;

    /// <summary>SIGTERM, up to <paramref name="grace"/> to exit, then SIGKILL. False when it was not running.</summary>
    /// <exception cref="TestbedException">It survived SIGKILL (uninterruptible sleep).</exception>
    public async Task<bool> StopAsync(ProcessRecord record, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!IsAlive(record))
        {
            return false;
        }

        Signal(record, LinuxNative.SIGTERM);
        if (await WaitForExitAsync(record, grace, cancellationToken))
        {
            return true;
        }

        Signal(record, LinuxNative.SIGKILL);
        if (await WaitForExitAsync(record, KillWait, cancellationToken))
        {
            return true;
        }

        throw new TestbedException($"pid {record.Pid} ({record.Command[0]}) is still alive {KillWait.TotalSeconds:0} s after SIGKILL");
    }

    /// <summary>The last lines of a log, for an error message.</summary>
    public static string LogTail(string log, int lines = 15)
    {
        try
        {
            var tail = File.ReadLines(log).TakeLast(lines).ToList();
            return tail.Count == 0 ? $"{log} is empty" : $"last lines of {log}:\n  " + string.Join("\n  ", tail);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"no log ({e.Message})";
        }
    }

    private static void Signal(ProcessRecord record, int signal)
    {
        // The start time is checked again right before the signal; the pid cannot be reused between the two reads
        // unless the process exits and is reaped in that microsecond window, after which kill fails with ESRCH or
        // (vanishingly unlikely) hits a brand-new process. pidfd_send_signal would close even that window.
        if (IsAlive(record) && LinuxNative.Kill(record.Pid, signal) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int ESRCH = 3;
            if (errno != ESRCH)
            {
                throw new TestbedException($"kill({record.Pid}, {signal}) failed: errno {errno}");
            }
        }
    }

    private async Task<bool> WaitForExitAsync(ProcessRecord record, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (IsAlive(record))
        {
            if (time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }

        return true;
    }
}
