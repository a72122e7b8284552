namespace SkillVL.Server.Identity;

/// <summary>
/// Section "SkillVL:Auth:LoginThrottle": backoff after wrong passwords (ADR 0015). Failures are counted per
/// (account, address) pair, per account over all addresses and per address over all accounts; each count is
/// forgotten after <see cref="ForgetAfter"/> without a failure.
/// </summary>
public sealed class LoginThrottleOptions
{
    /// <summary>Wrong passwords one address may give for one account before it has to wait. Default 5.</summary>
    public int PairFreeFailures { get; set; } = 5;

    /// <summary>
    /// Failures of one account over all addresses that put it "under attack": from then on each address gets only
    /// <see cref="PairFreeFailuresUnderAttack"/> wrong passwords before it waits. An address without failures of its
    /// own is never held back by this, so a guesser elsewhere cannot lock the owner out. Default 20.
    /// </summary>
    public int AccountAlarmFailures { get; set; } = 20;

    /// <summary>The pair's free failures while its account is under attack. Default 1.</summary>
    public int PairFreeFailuresUnderAttack { get; set; } = 1;

    /// <summary>
    /// Wrong passwords one address may give over all accounts (password spraying) before every login from it has
    /// to wait. High, because a classroom shares one address behind NAT. Default 50.
    /// </summary>
    public int AddressFreeFailures { get; set; } = 50;

    /// <summary>The first wait once the free failures are used up; each further failure doubles it. Default 5 s.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait. Default 10 min.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A count without a new failure for this long starts again at zero. Longer than MaxDelay. Default 1 h.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Null when the values make sense, else why not.</summary>
    public string? Invalid() =>
        PairFreeFailures < 1 || PairFreeFailuresUnderAttack < 1 || AccountAlarmFailures < 1 || AddressFreeFailures < 1
            ? "the free failure counts must be 1 or more"
            : BaseDelay <= TimeSpan.Zero || MaxDelay < BaseDelay
                ? "BaseDelay must be positive and MaxDelay at least BaseDelay"
                : ForgetAfter <= MaxDelay ? "ForgetAfter must be longer than MaxDelay" : null;
}
