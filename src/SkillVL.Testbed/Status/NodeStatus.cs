namespace SkillVL.Testbed.Status;

/// <summary>One node: where it lives and whether its parts are there.</summary>
public sealed record NodeStatus(
    string Name,
    string Kind,
    string Namespace,
    string Address,
    bool NamespacePresent,
    ProcessStatus? Agent,
    LinkStatus? Link,
    NatStatus? Nat = null)
{
    /// <summary>
    /// The namespace exists; the agent (if one was started) and the link emulator (clients) are alive; a client's
    /// bridge port is in the state recorded (a cut link is healthy: it was asked for); a NAT router's namespace exists.
    /// </summary>
    public bool Healthy =>
        NamespacePresent && (Agent?.Alive ?? true)
        && (Link is null || ((Link.Emulator?.Alive ?? false) && Link.PortAsRecorded))
        && (Nat?.RouterPresent ?? true);
}
