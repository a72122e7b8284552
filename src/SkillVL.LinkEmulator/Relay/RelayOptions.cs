namespace SkillVL.LinkEmulator.Relay;

/// <summary>How the relay's two threads run. The defaults are what the accuracy tests were measured with (ADR 0005).</summary>
public sealed record RelayOptions
{
    /// <summary>
    /// Seeds the loss and jitter draws; direction A→B uses the seed, B→A the seed + 1. Same seed and same
    /// frames: same losses.
    /// </summary>
    public int Seed { get; init; }

    /// <summary>
    /// Waits shorter than this are spun instead of slept: a sleep shorter than the kernel's wake-up latency
    /// (tens of µs in a VM) would end late anyway. Longer waits sleep in <c>ppoll</c> and are not spun at all, so
    /// the CPU cost stays low at 100 Mbit/s, where frames are due every 120 µs. Default 50 µs.
    /// </summary>
    public TimeSpan SpinThreshold { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>The longest a thread sleeps before looking at its stop signal again. Default 20 ms.</summary>
    public TimeSpan MaxIdleWait { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// SCHED_FIFO priority (1–99) for the two relay threads, so that iperf3, the kernel's TCP stack and the GC
    /// do not delay a due frame; 0 keeps normal scheduling. Needs CAP_SYS_NICE (root); without it the relay
    /// runs with normal scheduling and says so in <see cref="LinkRelay.Scheduling"/>. Default 10: above
    /// ordinary threads, below the kernel's own real-time threads (≥ 50).
    /// </summary>
    public int RealtimePriority { get; init; } = 10;
}
