using SkillVL.Server.Checkouts;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>When a machine may be revived (ADR 0025), as a table; who may is the room's visibility (the API tests).</summary>
public sealed class ReviveRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, -60, false, false, "not checked out")] // not checked out: nothing to revive
    [InlineData("laptop1", -60, false, true, "being moved")] // a check-in under way
    [InlineData("laptop1", -60, false, false, null)] // lease ran out a minute ago
    [InlineData("laptop1", 0, false, false, null)] // lease runs out this instant: expired
    [InlineData("laptop1", 60, false, false, "valid until 2026-12-06 12:01:00Z")] // valid: say until when
    [InlineData("laptop1", 60, true, false, null)] // declared lost: a human's override
    [InlineData("laptop1", null, false, false, "not been renewed yet")] // never renewed: only lost
    [InlineData("laptop1", null, true, false, null)]
    [InlineData("laptop1", 60, true, true, "being moved")] // lost does not override a move in flight
    public void Check_Table(string? checkedOutTo, int? leaseSecondsFromNow, bool lost, bool migrating, string? refusal)
    {
        DateTimeOffset? expires = leaseSecondsFromNow is { } s ? Now.AddSeconds(s) : null;

        var answer = ReviveRules.Check("lab/web", checkedOutTo, expires, Now, lost, migrating);

        if (refusal is null)
        {
            Assert.Null(answer);
        }
        else
        {
            Assert.Contains(refusal, answer, StringComparison.Ordinal);
        }
    }
}
