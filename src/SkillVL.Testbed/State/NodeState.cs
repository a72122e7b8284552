namespace SkillVL.Testbed.State;

/// <summary>One node in testbed.json.</summary>
public sealed class NodeState
{
    public required string Name { get; set; }

    /// <summary>server or client.</summary>
    public required string Kind { get; set; }

    public required string Namespace { get; set; }

    /// <summary>Address of eth0 in the namespace (no prefix length; a /24): on the underlay, or behind NAT the client's inside address.</summary>
    public required string Address { get; set; }

    /// <summary>Interfaces this node made in the root namespace (the veth's root end; a client's two taps).</summary>
    public List<string> RootInterfaces { get; set; } = [];

    /// <summary><c>STATE/nodes/NAME</c>: the agent's data and run directories and its log.</summary>
    public required string Directory { get; set; }

    /// <summary>The node agent; null with --no-agents or before it started.</summary>
    public ProcessRecord? Agent { get; set; }

    /// <summary>A client's emulated link; null for server nodes.</summary>
    public ClientLinkState? Link { get; set; }

    /// <summary>The client's NAT router (<c>--behind-nat</c>); null otherwise.</summary>
    public NatState? Nat { get; set; }
}
