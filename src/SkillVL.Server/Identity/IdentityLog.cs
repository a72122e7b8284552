namespace SkillVL.Server.Identity;

internal static partial class IdentityLog
{
    [LoggerMessage(3700, LogLevel.Warning, "Login of {Username} from {Address} throttled after wrong passwords; retry after {Seconds} s")]
    public static partial void LoginThrottled(ILogger logger, string username, string address, int seconds);

    [LoggerMessage(3701, LogLevel.Information, "Credentials of user {UserId} changed: generation {Generation}, {Revoked} OIDC token(s) revoked, API tokens {ApiTokens}")]
    public static partial void SessionsEnded(ILogger logger, string userId, int generation, long revoked, string apiTokens);

    [LoggerMessage(3702, LogLevel.Information, "User {UserId} ({Username}) got role {Role} from {OldRole}, set by {CallerId}")]
    public static partial void RoleChanged(ILogger logger, string userId, string username, string role, string oldRole, string callerId);

    [LoggerMessage(3703, LogLevel.Information, "User {UserId} ({Username}) disabled by {CallerId}: generation {Generation}, {Revoked} OIDC token(s) revoked")]
    public static partial void AccountDisabled(ILogger logger, string userId, string username, string callerId, int generation, long revoked);

    [LoggerMessage(3704, LogLevel.Information, "User {UserId} ({Username}) enabled by {CallerId}")]
    public static partial void AccountEnabled(ILogger logger, string userId, string username, string callerId);
}
