using SkillVL.Server.Audit;

namespace SkillVL.Server.Identity;

/// <summary>
/// Every place a password is entered (the login page, the device approval page, /me/password) checks it here:
/// throttled per <see cref="LoginThrottle"/>, each failure and refusal audited (login.failed, login.throttled).
/// The answer is the same for an unknown account as for a wrong password, throttling included (it is keyed on the
/// name as typed), so neither says whether an account exists.
/// </summary>
public sealed class PasswordCheck(UserDirectory users, LoginThrottle throttle, AuditService audit, ILogger<PasswordCheck> logger)
{
    public async Task<PasswordCheckResult> CheckAsync(HttpContext context, string username, string password, string via, CancellationToken cancellationToken)
    {
        var address = context.Connection.RemoteIpAddress;
        var target = via == "login" ? $"username={username}" : $"username={username} via={via}";
        if (throttle.TryBegin(username, address) is { } wait)
        {
            // Whole seconds, rounded up: Retry-After has no fractions and an early retry would only be refused again.
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            IdentityLog.LoginThrottled(logger, username, LoginThrottle.AddressKey(address), seconds);
            await audit.RecordAsync(context, null, "login.throttled", target, "refused", $"too many wrong passwords; retry after {seconds} s");
            return new PasswordCheckResult(null, TimeSpan.FromSeconds(seconds));
        }

        var user = await users.CheckPasswordAsync(username, password, cancellationToken);
        if (user is null)
        {
            await audit.RecordAsync(context, null, "login.failed", target, "failed", "wrong username or password");
            return new PasswordCheckResult(null, null);
        }

        throttle.Succeeded(username, address);
        if (user.DisabledAt is not null)
        {
            // Said only after the right password, so it tells a guesser nothing about which accounts exist (ADR 0043).
            await audit.RecordAsync(context, user, "login.refused", target, "refused", "account disabled");
            return new PasswordCheckResult(null, null, Disabled: true);
        }

        return new PasswordCheckResult(user, null);
    }
}
