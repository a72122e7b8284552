using SkillVL.Server.Identity;

namespace SkillVL.Server.Tests.Identity;

/// <summary>Issue 11 finding 7: the backoff's arithmetic, as a table.</summary>
public sealed class LoginBackoffPolicyTests
{
    private static readonly LoginThrottleOptions Defaults = new();

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 0)] // the first five wrong passwords cost nothing
    [InlineData(5, 5)]
    [InlineData(6, 10)]
    [InlineData(7, 20)]
    [InlineData(11, 320)]
    [InlineData(12, 600)] // 640 s capped at 10 min
    [InlineData(40, 600)]
    [InlineData(int.MaxValue, 600)] // no overflow however many
    public void Delay_DoublesAfterTheFreeFailures_UpToTheCap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoginBackoffPolicy.Delay(failures, Defaults.PairFreeFailures, Defaults));

    [Fact]
    public void RetryAfter_CountsFromTheLastFailure_AndForgetsAfterAQuietHour()
    {
        var last = new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);
        var count = new FailureCount(6, last);

        Assert.Equal(TimeSpan.FromSeconds(10), LoginBackoffPolicy.RetryAfter(count, 5, last, Defaults));
        Assert.Equal(TimeSpan.FromSeconds(1), LoginBackoffPolicy.RetryAfter(count, 5, last.AddSeconds(9), Defaults));
        Assert.Null(LoginBackoffPolicy.RetryAfter(count, 5, last.AddSeconds(10), Defaults));
        Assert.Null(LoginBackoffPolicy.RetryAfter(new FailureCount(40, last), 5, last.AddHours(1), Defaults));
        Assert.NotNull(LoginBackoffPolicy.RetryAfter(new FailureCount(40, last), 5, last.AddMinutes(9), Defaults));
    }

    [Fact]
    public void Options_ThatCouldLockForeverOrNeverForget_AreInvalid()
    {
        Assert.Null(Defaults.Invalid());
        Assert.NotNull(new LoginThrottleOptions { PairFreeFailures = 0 }.Invalid());
        Assert.NotNull(new LoginThrottleOptions { BaseDelay = TimeSpan.Zero }.Invalid());
        Assert.NotNull(new LoginThrottleOptions { MaxDelay = TimeSpan.FromMilliseconds(1) }.Invalid());
        Assert.NotNull(new LoginThrottleOptions { ForgetAfter = TimeSpan.FromMinutes(5) }.Invalid());
    }
}
