namespace SkillVL.Server.Identity;

internal static partial class IdentityLog
{
    [LoggerMessage(3700, LogLevel.Warning, "Login of {Username} from {Address} throttled after wrong passwords; retry after {Seconds} s")]
    public static partial void LoginThrottled(ILogger logger, string username, string address, int seconds);

    [LoggerMessage(3701, LogLevel.Information, "Credentials of user {UserId} changed: generation {Generation}, {Revoked} OIDC token(s) revoked, API tokens {ApiTokens}")]
    public static partial void SessionsEnded(ILogger logger, string userId, int generation, long revoked, string apiTokens);
}
