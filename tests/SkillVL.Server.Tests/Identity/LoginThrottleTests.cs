using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkillVL.Server.Hosting;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Tests.Identity;

/// <summary>Issue 11 finding 7: who may try a password, per (account, address), account and address, on fake time.</summary>
public sealed class LoginThrottleTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.66");
    private static readonly IPAddress Owner = IPAddress.Parse("198.51.100.7");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero));
    private readonly LoginThrottle _throttle;

    public LoginThrottleTests() => _throttle = new LoginThrottle(Options.Create(new SkillVlServerOptions()), _time);

    [Fact]
    public void FiveWrongPasswords_ThenTheAddressWaits_FiveSecondsThenTen()
    {
        Fail("admin", Attacker, 5);

        Assert.Equal(TimeSpan.FromSeconds(5), _throttle.TryBegin("admin", Attacker));
        _time.Advance(TimeSpan.FromSeconds(5));
        Fail("admin", Attacker, 1);
        Assert.Equal(TimeSpan.FromSeconds(10), _throttle.TryBegin("ADMIN ", Attacker)); // the name as the account knows it
    }

    [Fact]
    public void Issue11_GuesserElsewhere_DoesNotLockTheOwnerOut()
    {
        Fail("admin", Attacker, 5);
        for (var i = 0; i < 30; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(10));
            Fail("admin", Attacker, 1);
        }

        Assert.NotNull(_throttle.TryBegin("admin", Attacker));
        // The owner's address has no failures of its own: its attempt goes ahead (and the right password clears it).
        Assert.Null(_throttle.TryBegin("admin", Owner));
        _throttle.Succeeded("admin", Owner);
        Assert.Null(_throttle.TryBegin("admin", Owner));
    }

    [Fact]
    public void AccountUnderAttack_FromManyAddresses_GivesEachFailingAddressOneGuess()
    {
        for (var i = 1; i <= 20; i++)
        {
            Fail("teacher", IPAddress.Parse($"203.0.113.{i}"), 1);
        }

        var next = IPAddress.Parse("203.0.113.200");
        Fail("teacher", next, 1);
        Assert.Equal(TimeSpan.FromSeconds(5), _throttle.TryBegin("teacher", next));
        Assert.Null(_throttle.TryBegin("teacher", Owner));
    }

    [Fact]
    public void PasswordSpraying_FromOneAddress_BacksOffAfterFiftyAccounts()
    {
        for (var i = 0; i < 50; i++)
        {
            Fail($"user{i}", Attacker, 1);
        }

        Assert.Equal(TimeSpan.FromSeconds(5), _throttle.TryBegin("user50", Attacker));
        Assert.Null(_throttle.TryBegin("user50", Owner));
    }

    [Fact]
    public void RightPassword_ClearsThePair_AndIsNotCountedAsAFailure()
    {
        Fail("sam", Attacker, 4);
        Assert.Null(_throttle.TryBegin("sam", Attacker));
        _throttle.Succeeded("sam", Attacker);

        Fail("sam", Attacker, 4);
        Assert.Null(_throttle.TryBegin("sam", Attacker));
    }

    [Fact]
    public void ParallelGuesses_AreCountedWhenTheyStart_NotWhenTheyFail()
    {
        // Five go ahead at once without any having failed yet; the sixth already waits.
        for (var i = 0; i < 5; i++)
        {
            Assert.Null(_throttle.TryBegin("sam", Attacker));
        }

        Assert.NotNull(_throttle.TryBegin("sam", Attacker));
    }

    [Fact]
    public void Counts_AreForgottenAfterAQuietHour()
    {
        for (var failures = 0; failures < 12;)
        {
            if (_throttle.TryBegin("sam", Attacker) is { } wait)
            {
                _time.Advance(wait);
                continue;
            }

            failures++;
        }

        Assert.Equal(TimeSpan.FromMinutes(10), _throttle.TryBegin("sam", Attacker));
        // Within the hour the count is kept: one more guess after the wait, and the next waits the full cap again.
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Null(_throttle.TryBegin("sam", Attacker));
        Assert.Equal(TimeSpan.FromMinutes(10), _throttle.TryBegin("sam", Attacker));
        // A quiet hour: five free guesses again.
        _time.Advance(TimeSpan.FromHours(1));
        Fail("sam", Attacker, 5);
        Assert.Equal(TimeSpan.FromSeconds(5), _throttle.TryBegin("sam", Attacker));
    }

    [Fact]
    public void IPv6_IsThrottledPerSlash64()
    {
        Fail("sam", IPAddress.Parse("2001:db8:1:2::1"), 5);
        Assert.NotNull(_throttle.TryBegin("sam", IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.Null(_throttle.TryBegin("sam", IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("192.0.2.66", LoginThrottle.AddressKey(Attacker.MapToIPv6()));
    }

    /// <summary>Wrong passwords: attempts that were let through and then failed (nothing to take back).</summary>
    private void Fail(string username, IPAddress address, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Null(_throttle.TryBegin(username, address));
        }
    }
}
