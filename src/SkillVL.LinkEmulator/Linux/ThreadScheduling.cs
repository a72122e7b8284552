using System.Globalization;
using System.Runtime.InteropServices;

namespace SkillVL.LinkEmulator.Linux;

/// <summary>Makes the calling thread wake on time: 1 ns timer slack, and SCHED_FIFO when allowed.</summary>
public static unsafe class ThreadScheduling
{
    /// <summary>
    /// Applies to the calling thread. The default timer slack of 50 µs lets the kernel wake a sleeper up to
    /// 50 µs late to batch wake-ups (prctl(2)); SCHED_FIFO threads get none, and run before normal threads.
    /// </summary>
    /// <param name="realtimePriority">1–99 for SCHED_FIFO; 0 keeps normal scheduling.</param>
    /// <returns>What the thread got, for the log: <c>SCHED_FIFO 10</c> or <c>SCHED_OTHER (…)</c>.</returns>
    public static string ApplyToCurrentThread(int realtimePriority)
    {
        // Best effort: with normal scheduling the slack is what decides how late a ppoll timeout fires.
        LinuxNative.Prctl(LinuxNative.PR_SET_TIMERSLACK, 1, 0, 0, 0);
        if (realtimePriority <= 0)
        {
            return "SCHED_OTHER, timer slack 1ns";
        }

        var priority = Math.Min(realtimePriority, 99);
        if (LinuxNative.SchedSetScheduler(0, LinuxNative.SCHED_FIFO, &priority) == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"SCHED_FIFO {priority}");
        }

        var errno = Marshal.GetLastPInvokeError();
        return $"SCHED_OTHER, timer slack 1ns (SCHED_FIFO refused: {LinuxNative.Describe(errno)})";
    }
}
