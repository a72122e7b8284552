namespace SkillVL.Server.Identity;

/// <summary>
/// The backoff as pure functions of a failure count and the time: the first <c>free</c> failures cost nothing,
/// then each one doubles the wait from <see cref="LoginThrottleOptions.BaseDelay"/> up to
/// <see cref="LoginThrottleOptions.MaxDelay"/>, counted from the last failure.
/// </summary>
public static class LoginBackoffPolicy
{
    /// <summary>The wait after <paramref name="failures"/> failures of which <paramref name="free"/> are free.</summary>
    public static TimeSpan Delay(int failures, int free, LoginThrottleOptions options)
    {
        if (failures < free)
        {
            return TimeSpan.Zero;
        }

        // 2^30 × 1 s already exceeds any sane cap; stop doubling before the arithmetic overflows.
        var doublings = Math.Min(failures - free, 30);
        var ticks = options.BaseDelay.Ticks * (double)(1L << doublings);
        return ticks >= options.MaxDelay.Ticks ? options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>How long an attempt must still wait, or null when it may go ahead now.</summary>
    public static TimeSpan? RetryAfter(FailureCount count, int free, DateTimeOffset now, LoginThrottleOptions options)
    {
        if (count.Failures == 0 || IsForgotten(count, now, options))
        {
            return null;
        }

        var until = count.LastFailure + Delay(count.Failures, free, options);
        return until > now ? until - now : null;
    }

    public static bool IsForgotten(FailureCount count, DateTimeOffset now, LoginThrottleOptions options) =>
        now - count.LastFailure >= options.ForgetAfter;
}
