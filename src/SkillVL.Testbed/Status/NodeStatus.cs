namespace SkillVL.Testbed.Status;

/// <summary>One node: where it lives and whether its parts are there.</summary>
public sealed record NodeStatus(
    string Name,
    string Kind,
    string Namespace,
    string Address,
    bool NamespacePresent,
    ProcessStatus? Agent,
    LinkStatus? Link)
{
    /// <summary>The namespace exists; the agent (if one was started) and the link emulator (clients) are alive.</summary>
    public bool Healthy =>
        NamespacePresent && (Agent?.Alive ?? true) && (Link is null || (Link.Emulator?.Alive ?? false));
}
