namespace SkillVL.Testbed.Status;

/// <summary>
/// A client's NAT router (<c>--behind-nat</c>): its namespace and whether it exists, the router's underlay address
/// (what the Server and the server nodes see as the client's source), the inside /24, the router's inside address
/// and the client's own (the one its agent is given as <c>--underlay-address</c>).
/// </summary>
public sealed record NatStatus(
    string RouterNamespace, bool RouterPresent, string OutsideAddress, string InsideSubnet, string InsideAddress, string ClientAddress);
