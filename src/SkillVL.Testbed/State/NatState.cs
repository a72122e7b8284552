namespace SkillVL.Testbed.State;

/// <summary>
/// A client's NAT router in testbed.json (<c>--behind-nat</c>; see <see cref="Planning.NatPlan"/>). Recorded before the
/// router's namespace is made, so <c>down</c> removes it after a crash too; its nftables table goes with the namespace.
/// </summary>
public sealed class NatState
{
    public required string RouterNamespace { get; set; }

    /// <summary>Root end of the router's outside veth, a port of the bridge.</summary>
    public required string OutsideVeth { get; set; }

    /// <summary>The router's underlay address: what the Server and the server nodes see as the client's source.</summary>
    public required string OutsideAddress { get; set; }

    public required string InsideSubnet { get; set; }

    /// <summary>The router's inside address, the client's gateway to the underlay.</summary>
    public required string InsideAddress { get; set; }
}
