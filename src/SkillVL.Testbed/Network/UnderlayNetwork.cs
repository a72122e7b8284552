using System.Globalization;
using SkillVL.Testbed.Linux;
using SkillVL.Testbed.Planning;

namespace SkillVL.Testbed.Network;

/// <summary>
/// The iproute2 steps that make the underlay: the bridge in the root namespace, a namespace per node, a veth pair
/// per server node, a tap pair per client. Every root-namespace interface gets the testbed's ifalias right after
/// it is created; IPv6 is off on all of them and in every node namespace, so the only traffic on the underlay is
/// what the nodes send over IPv4. MTU 1500 throughout (VXLAN on top leaves 1450 for guests).
/// </summary>
internal static class UnderlayNetwork
{
    public const int Mtu = 1500;

    private static readonly string MtuText = Mtu.ToString(CultureInfo.InvariantCulture);

    public static async Task CreateBridgeAsync(TestbedPlan plan, CancellationToken cancellationToken)
    {
        // STP stays off (the default): ports forward at once, and a single bridge has no loops to break.
        await Iproute.RunAsync(cancellationToken, "link", "add", plan.Bridge, "type", "bridge");
        await MarkAsync(plan, plan.Bridge, cancellationToken);
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", plan.Bridge, "mtu", MtuText);

        // The connected route of this /24 is the only route added; nothing is forwarded or NATed anywhere.
        await Iproute.RunAsync(cancellationToken, "address", "add", $"{plan.BridgeAddress}/{UnderlaySubnet.PrefixLength}", "dev", plan.Bridge);
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", plan.Bridge, "up");
    }

    public static Task CreateNamespaceAsync(NodePlan node, CancellationToken cancellationToken) =>
        CreateNamespaceAsync(node.Namespace, cancellationToken);

    /// <summary>A namespace with IPv6 off and <c>lo</c> up (a node's, or a NAT router's).</summary>
    public static async Task CreateNamespaceAsync(string @namespace, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "netns", "add", @namespace);

        // Before any interface arrives: a moved or created interface takes the namespace's defaults.
        await HostCommand.RunCheckedAsync(
            "ip",
            ["netns", "exec", @namespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"],
            cancellationToken);
        await Iproute.RunAsync(cancellationToken, "-n", @namespace, "link", "set", "dev", "lo", "up");
    }

    /// <summary>The veth pair of a server node: root end on the bridge, <c>eth0</c> in the namespace.</summary>
    public static async Task CreateVethAsync(TestbedPlan plan, NodePlan node, CancellationToken cancellationToken)
    {
        var veth = node.Veth!;
        await Iproute.RunAsync(cancellationToken, "link", "add", veth, "mtu", MtuText, "type", "veth", "peer", "name", NodePlan.NamespaceInterface, "mtu", MtuText, "netns", node.Namespace);
        await MarkAsync(plan, veth, cancellationToken);
        await AttachToBridgeAsync(plan, veth, cancellationToken);
    }

    /// <summary>A persistent tap in the root namespace (so it outlives the emulator that relays it, until <c>down</c>).</summary>
    public static async Task CreateTapAsync(TestbedPlan plan, string tap, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "tuntap", "add", "dev", tap, "mode", "tap");
        await MarkAsync(plan, tap, cancellationToken);
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", tap, "mtu", MtuText);
    }

    /// <summary>Makes <paramref name="port"/> (already created, in the root namespace) a port of the bridge and brings it up.</summary>
    public static async Task AttachToBridgeAsync(TestbedPlan plan, string port, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", port, "master", plan.Bridge);
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", port, "up");
    }

    /// <summary>Moves a client's tap into its namespace as <c>eth0</c> (the emulator's open fd keeps working there).</summary>
    public static async Task MoveTapIntoNamespaceAsync(NodePlan node, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", node.ClientTap!, "netns", node.Namespace);
        await Iproute.RunAsync(cancellationToken, "-n", node.Namespace, "link", "set", "dev", node.ClientTap!, "name", NodePlan.NamespaceInterface);
    }

    /// <summary>Address and up on <c>eth0</c> in the node's namespace. No default route: the node reaches only the /24.</summary>
    public static async Task ConfigureNamespaceInterfaceAsync(NodePlan node, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "-n", node.Namespace, "link", "set", "dev", NodePlan.NamespaceInterface, "mtu", MtuText);
        await Iproute.RunAsync(cancellationToken, "-n", node.Namespace, "address", "add", $"{node.Address}/{UnderlaySubnet.PrefixLength}", "dev", NodePlan.NamespaceInterface);
        await Iproute.RunAsync(cancellationToken, "-n", node.Namespace, "link", "set", "dev", NodePlan.NamespaceInterface, "up");
    }

    /// <summary>Marks a root-namespace interface as the testbed's (ifalias, which <c>down</c> checks) and turns its IPv6 off.</summary>
    public static async Task MarkAsync(TestbedPlan plan, string name, CancellationToken cancellationToken)
    {
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", name, "alias", plan.Alias);
        await Iproute.DisableIpv6Async(name, cancellationToken);
    }
}
