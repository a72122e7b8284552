namespace SkillVL.Server.Pki;

/// <summary>Log messages of the platform CA. Event ids 3400–3499.</summary>
internal static partial class PkiLog
{
    [LoggerMessage(3400, LogLevel.Information, "Node {Node} got certificate {Serial} (SAN DNS {Node}, IP {Address}) valid until {NotAfter}")]
    public static partial void Issued(ILogger logger, string node, string serial, string address, DateTimeOffset notAfter);

    [LoggerMessage(3401, LogLevel.Warning, "Refused a certificate for node {Node}: {Reason}")]
    public static partial void Refused(ILogger logger, string node, string reason);

    [LoggerMessage(3402, LogLevel.Information, "Node {Node} TLS credentials in {Directory}: {Reason}; valid until {NotAfter}")]
    public static partial void LocalRenewed(ILogger logger, string node, string directory, string reason, DateTimeOffset notAfter);

    [LoggerMessage(3403, LogLevel.Warning, "Node {Node}: renewing its TLS credentials failed; trying again later")]
    public static partial void LocalRenewFailed(ILogger logger, string node, Exception exception);
}
