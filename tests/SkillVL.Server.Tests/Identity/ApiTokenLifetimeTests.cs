using SkillVL.Server.Identity;

namespace SkillVL.Server.Tests.Identity;

/// <summary>Issue 11 finding 6: a token never outlives the platform's maximum or the API token that made it.</summary>
public sealed class ApiTokenLifetimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Max = TimeSpan.FromDays(90);

    [Fact]
    public void FromALoginSession_LeftOut_IsTheMaximum_NotNever()
    {
        Assert.Equal((Now.AddDays(90), (string?)null), ApiTokenLifetime.Decide(Now, null, Max, parentExpiresAt: null));
        Assert.Equal((Now.AddDays(30), (string?)null), ApiTokenLifetime.Decide(Now, 30, Max, null));
        Assert.Equal(Now.AddDays(90), ApiTokenLifetime.Decide(Now, 90, Max, null).ExpiresAt);
    }

    [Fact]
    public void LongerThanTheMaximum_IsRefused_SayingTheLimit()
    {
        var (expires, error) = ApiTokenLifetime.Decide(Now, 91, Max, null);
        Assert.Null(expires);
        Assert.Contains("at most 90", error, StringComparison.Ordinal);
        Assert.NotNull(ApiTokenLifetime.Decide(Now, 0, Max, null).Error);
        Assert.NotNull(ApiTokenLifetime.Decide(Now, 3650, Max, null).Error);
    }

    [Fact]
    public void Issue11_ChildOfAOneDayToken_CannotOutliveIt()
    {
        var parent = Now.AddHours(20);
        Assert.Equal(parent, ApiTokenLifetime.Decide(Now, null, Max, parent).ExpiresAt);
        var (expires, error) = ApiTokenLifetime.Decide(Now, 1, Max, parent);
        Assert.Null(expires);
        Assert.Contains("must be left out", error, StringComparison.Ordinal);
        Assert.Contains("cannot outlive", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Expiry_IsWholeSeconds_RoundedDown()
    {
        Assert.Equal(Now.AddDays(90), ApiTokenLifetime.Decide(Now.AddMilliseconds(700), null, Max, null).ExpiresAt);
        Assert.Equal(Now.AddDays(2), ApiTokenLifetime.Decide(Now.AddMilliseconds(700), 2, Max, null).ExpiresAt);
    }

    [Fact]
    public void ChildOfALongLivedToken_IsStillCappedByTheMaximum()
    {
        Assert.Equal(Now.AddDays(90), ApiTokenLifetime.Decide(Now, null, Max, Now.AddDays(400)).ExpiresAt);
        Assert.Equal(Now.AddDays(10), ApiTokenLifetime.Decide(Now, 10, Max, Now.AddDays(30)).ExpiresAt);
        Assert.Contains("at most 29", ApiTokenLifetime.Decide(Now, 31, Max, Now.AddDays(29.5)).Error, StringComparison.Ordinal);
    }
}
