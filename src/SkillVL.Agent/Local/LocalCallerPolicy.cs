namespace SkillVL.Agent.Local;

/// <summary>
/// Which local users may use the agent's control socket (ADR 0024): root, and the node's owner when the agent was
/// started with <c>--local-user</c>. Anyone else on the machine — another account, a service — is refused, whatever
/// the socket file's mode lets through.
/// </summary>
public static class LocalCallerPolicy
{
    public static bool IsAllowed(uint callerUid, uint? ownerUid) => callerUid == 0 || (ownerUid is { } owner && callerUid == owner);
}
