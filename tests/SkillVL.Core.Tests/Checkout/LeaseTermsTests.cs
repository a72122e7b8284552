using SkillVL.Core.Checkout;
using Xunit;

namespace SkillVL.Core.Tests.Checkout;

/// <summary>The arithmetic of check-out leases (ADR 0025).</summary>
public sealed class LeaseTermsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ClientDeadline_NeverLaterThanTheServers_WhateverTheClocksRead()
    {
        // The Server sends at its 12:00:00; the call arrives 0.3 s later; the answer 0.3 s after that. The client's clock
        // is 90 s behind: its deadline in its own clock is earlier by as much, and in real time it comes 0.3 s earlier.
        var lease = TimeSpan.FromSeconds(40);
        var clientSkew = TimeSpan.FromSeconds(-90);
        var arrivedReal = Now.AddMilliseconds(300);
        var answeredReal = Now.AddMilliseconds(600);

        var client = LeaseTerms.ClientDeadline(arrivedReal + clientSkew, lease) - clientSkew; // back in real time
        var server = LeaseTerms.ServerExpiry(answeredReal, lease);

        Assert.True(client <= server);
        Assert.Equal(TimeSpan.FromMilliseconds(300), server - client);
    }

    [Theory]
    [InlineData(10, 3.333)]
    [InlineData(40, 13.333)]
    [InlineData(180, 60)]
    [InlineData(604800, 60)] // a week: every minute
    public void RenewEvery_AThird_AtMostAMinute(int leaseSeconds, double everySeconds)
    {
        Assert.Equal(everySeconds, LeaseTerms.RenewEvery(TimeSpan.FromSeconds(leaseSeconds)).TotalSeconds, precision: 2);
    }

    [Fact]
    public void StartRefusal_ValidExpiredFencedOrNone()
    {
        Assert.Null(LeaseTerms.StartRefusal(null, Now)); // not checked out here
        Assert.Null(LeaseTerms.StartRefusal(new CheckoutLease("vm1", 2, Now.AddSeconds(1)), Now));
        Assert.Contains("lease expired at 2026-12-06 12:00:00Z", LeaseTerms.StartRefusal(new CheckoutLease("vm1", 2, Now), Now), StringComparison.Ordinal);
        Assert.Contains("fenced", LeaseTerms.StartRefusal(new CheckoutLease("vm1", 2, Now.AddDays(1), Fenced: true), Now), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(120, false)]
    [InlineData(-120, false)]
    [InlineData(121, true)]
    [InlineData(-3600, true)]
    public void ClockTooFarOff_BeyondTwoMinutes(int clientAheadSeconds, bool tooFar)
    {
        Assert.Equal(tooFar, LeaseTerms.ClockTooFarOff(Now.AddSeconds(clientAheadSeconds), Now, out var offset));
        Assert.Equal(clientAheadSeconds, offset.TotalSeconds);
    }

    [Theory]
    [InlineData("7d", 604800)]
    [InlineData("36h", 129600)]
    [InlineData(" 90m ", 5400)]
    [InlineData("40s", 40)]
    [InlineData("1.5d", 129600)]
    public void TryParse_NumberAndUnit(string text, int seconds)
    {
        Assert.True(LeaseTerms.TryParse(text, out var lease));
        Assert.Equal(TimeSpan.FromSeconds(seconds), lease);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("-1d")]
    [InlineData("0s")]
    [InlineData("2w")]
    [InlineData("7 days")]
    public void TryParse_RefusesWhatIsNotALease(string? text)
    {
        Assert.False(LeaseTerms.TryParse(text, out _));
    }

    [Theory]
    [InlineData(604800, "7d")]
    [InlineData(129600, "36h")]
    [InlineData(5400, "90m")]
    [InlineData(40, "40s")]
    public void Format_ReadsBack(int seconds, string text)
    {
        Assert.Equal(text, LeaseTerms.Format(TimeSpan.FromSeconds(seconds)));
        Assert.True(LeaseTerms.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }

    [Fact]
    public void InRange_TenSecondsToAYear()
    {
        Assert.False(LeaseTerms.InRange(TimeSpan.FromSeconds(9)));
        Assert.True(LeaseTerms.InRange(TimeSpan.FromSeconds(10)));
        Assert.True(LeaseTerms.InRange(TimeSpan.FromDays(365)));
        Assert.False(LeaseTerms.InRange(TimeSpan.FromDays(366)));
    }
}
