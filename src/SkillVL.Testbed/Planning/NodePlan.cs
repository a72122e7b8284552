namespace SkillVL.Testbed.Planning;

/// <summary>
/// One node of a planned testbed: its names and address. Server nodes have <see cref="Veth"/> (the root end of
/// their veth pair); clients have <see cref="UnderlayTap"/> (on the bridge) and <see cref="ClientTap"/> (moved into
/// the namespace and renamed eth0), relayed by skillvl-linkem. A client behind NAT (<see cref="Nat"/>) has its own
/// router: then <see cref="UnderlayTap"/> is the emulator's side B, moved into the router as its inside leg, and
/// <see cref="Address"/> is the client's inside address.
/// </summary>
public sealed record NodePlan(string Name, string Kind, string Namespace, string Address, string? Veth, string? UnderlayTap, string? ClientTap, NatPlan? Nat = null)
{
    /// <summary>The interface inside the namespace that carries <see cref="Address"/>.</summary>
    public const string NamespaceInterface = "eth0";

    /// <summary>Interfaces this node creates in the root namespace (a client tap leaves it once moved).</summary>
    public IReadOnlyList<string> RootInterfaces =>
        Kind == NodeKind.Server ? [Veth!] : Nat is { } nat ? [nat.OutsideVeth, UnderlayTap!, ClientTap!] : [UnderlayTap!, ClientTap!];

    /// <summary>
    /// The bridge port the client's traffic enters the underlay through: the underlay tap, or behind NAT the
    /// router's outside veth. <c>link down</c> disables this port; its counters are the client's traffic.
    /// </summary>
    public string? BridgePort => Kind == NodeKind.Server ? null : Nat?.OutsideVeth ?? UnderlayTap;

    /// <summary>The namespaces of this node: its own and, behind NAT, its router's.</summary>
    public IReadOnlyList<string> Namespaces => Nat is { } nat ? [Namespace, nat.RouterNamespace] : [Namespace];
}
