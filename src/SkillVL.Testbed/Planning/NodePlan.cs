namespace SkillVL.Testbed.Planning;

/// <summary>
/// One node of a planned testbed: its names and address. Server nodes have <see cref="Veth"/> (the root end of
/// their veth pair); clients have <see cref="UnderlayTap"/> (on the bridge) and <see cref="ClientTap"/> (moved into
/// the namespace and renamed eth0), relayed by skillvl-linkem.
/// </summary>
public sealed record NodePlan(string Name, string Kind, string Namespace, string Address, string? Veth, string? UnderlayTap, string? ClientTap)
{
    /// <summary>The interface inside the namespace that carries <see cref="Address"/>.</summary>
    public const string NamespaceInterface = "eth0";

    /// <summary>Interfaces this node creates in the root namespace (a client tap leaves it once moved).</summary>
    public IReadOnlyList<string> RootInterfaces =>
        Kind == NodeKind.Server ? [Veth!] : [UnderlayTap!, ClientTap!];
}
