namespace SkillVL.Testbed.Planning;

/// <summary>
/// The NAT router of one client with <c>--behind-nat</c>: a namespace of its own between the client's link and the
/// underlay, as a home router sits between a laptop and the Internet. Its <see cref="OutsideAddress"/> is the
/// client's underlay address (<c>.100+j</c>), so what the Server and the server nodes see as the client's source is
/// that; the client itself has <see cref="ClientAddress"/> on a private inside /24 that only it and its router know.
/// </summary>
/// <param name="RouterNamespace"><c>PREFIX-NAME-gw</c>.</param>
/// <param name="OutsideVeth">The root end of the router's outside veth (<c>PREFIXc&lt;j&gt;o</c>), a port of the bridge.</param>
/// <param name="OutsideAddress">The router's underlay address, <c>.100+j</c>.</param>
/// <param name="InsideSubnet">RFC 6598 shared address space, one /24 per client: <c>100.64.j.0/24</c>.</param>
/// <param name="InsideAddress">The router on the inside, <c>100.64.j.1</c>: the client's gateway to the underlay.</param>
/// <param name="ClientAddress">The client's own address, <c>100.64.j.2</c> (its eth0).</param>
public sealed record NatPlan(
    string RouterNamespace, string OutsideVeth, string OutsideAddress, string InsideSubnet, string InsideAddress, string ClientAddress)
{
    /// <summary>The router's leg on the underlay bridge (the veth peer of <see cref="OutsideVeth"/>).</summary>
    public const string OutsideInterface = "outside";

    /// <summary>The router's leg towards the client (side B of the client's emulated link, moved into the router).</summary>
    public const string InsideInterface = "inside";

    /// <summary>Suffix of the router's namespace after the client's: <c>PREFIX-laptop1-gw</c>.</summary>
    public const string NamespaceSuffix = "-gw";
}
