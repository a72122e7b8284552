using System.Globalization;
using SkillVL.Testbed.Linux;
using SkillVL.Testbed.Planning;

namespace SkillVL.Testbed.Network;

/// <summary>
/// A client's NAT router (<c>--behind-nat</c>, ADR 0018): a namespace with an outside leg on the underlay bridge
/// (the client's underlay address) and an inside leg towards the client's emulated link, forwarding the client's
/// connections out with its source masqueraded and letting nothing in. Forwarding and NAT are switched on in the
/// router's namespace only; the root namespace gets neither a route nor a rule.
/// </summary>
internal static class NatRouter
{
    /// <summary>The router's nftables table (one per router namespace; it goes when the namespace goes).</summary>
    public const string Table = "skillvl_nat";

    private static readonly string MtuText = UnderlayNetwork.Mtu.ToString(CultureInfo.InvariantCulture);

    /// <summary>The router's namespace, its outside veth on the bridge with the underlay address, forwarding and the ruleset.</summary>
    public static async Task CreateAsync(TestbedPlan plan, NatPlan nat, CancellationToken cancellationToken)
    {
        await UnderlayNetwork.CreateNamespaceAsync(nat.RouterNamespace, cancellationToken);
        await Iproute.RunAsync(
            cancellationToken,
            "link", "add", nat.OutsideVeth, "mtu", MtuText, "type", "veth", "peer", "name", NatPlan.OutsideInterface, "mtu", MtuText, "netns", nat.RouterNamespace);
        await UnderlayNetwork.MarkAsync(plan, nat.OutsideVeth, cancellationToken);
        await UnderlayNetwork.AttachToBridgeAsync(plan, nat.OutsideVeth, cancellationToken);
        await Iproute.RunAsync(
            cancellationToken, "-n", nat.RouterNamespace, "address", "add", $"{nat.OutsideAddress}/{UnderlaySubnet.PrefixLength}", "dev", NatPlan.OutsideInterface);
        await Iproute.RunAsync(cancellationToken, "-n", nat.RouterNamespace, "link", "set", "dev", NatPlan.OutsideInterface, "up");

        // Per namespace: the root namespace's ip_forward stays as it is.
        await HostCommand.RunCheckedAsync("ip", ["netns", "exec", nat.RouterNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], cancellationToken);
        await LoadRulesetAsync(nat.RouterNamespace, cancellationToken);
    }

    /// <summary>
    /// Takes the emulator's side B (already relaying) into the router as its inside leg, and gives the client its
    /// one route: the underlay /24 through the router. No default route, so nothing can leave the testbed.
    /// </summary>
    public static async Task ConnectInsideAsync(NodePlan node, CancellationToken cancellationToken)
    {
        var nat = node.Nat!;
        await Iproute.RunAsync(cancellationToken, "link", "set", "dev", node.UnderlayTap!, "netns", nat.RouterNamespace);
        await Iproute.RunAsync(cancellationToken, "-n", nat.RouterNamespace, "link", "set", "dev", node.UnderlayTap!, "name", NatPlan.InsideInterface);
        await Iproute.RunAsync(
            cancellationToken, "-n", nat.RouterNamespace, "address", "add", $"{nat.InsideAddress}/{UnderlaySubnet.PrefixLength}", "dev", NatPlan.InsideInterface);
        await Iproute.RunAsync(cancellationToken, "-n", nat.RouterNamespace, "link", "set", "dev", NatPlan.InsideInterface, "up");
    }

    /// <summary>The client's route to the underlay through its router (after its eth0 has its address).</summary>
    public static Task RouteClientAsync(TestbedPlan plan, NodePlan node, CancellationToken cancellationToken) =>
        Iproute.RunAsync(cancellationToken, "-n", node.Namespace, "route", "add", plan.Subnet.Cidr, "via", node.Nat!.InsideAddress, "dev", NodePlan.NamespaceInterface);

    /// <summary>
    /// Forward: the client's new connections out, replies back, nothing else (no port forwarding: a connection
    /// from the underlay to the inside is dropped even by a host that routes to it). Input on the outside leg: replies
    /// only, so the router's own address answers nothing either, as a home router's WAN side. Postrouting: masquerade
    /// what leaves on the outside leg, so the underlay sees the router's address as the client's.
    /// </summary>
    private static async Task LoadRulesetAsync(string routerNamespace, CancellationToken cancellationToken)
    {
        var ruleset = $$"""
            table ip {{Table}} {
              chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname "{{NatPlan.InsideInterface}}" oifname "{{NatPlan.OutsideInterface}}" accept
              }
              chain input {
                type filter hook input priority filter; policy accept;
                iifname "{{NatPlan.OutsideInterface}}" ct state established,related accept
                iifname "{{NatPlan.OutsideInterface}}" drop
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "{{NatPlan.OutsideInterface}}" masquerade
              }
            }

            """;
        var file = Path.Combine(Path.GetTempPath(), $"skillvl-testbed-{routerNamespace}-{Environment.ProcessId}.nft");
        await File.WriteAllTextAsync(file, ruleset, cancellationToken);
        try
        {
            await HostCommand.RunCheckedAsync("ip", ["netns", "exec", routerNamespace, "nft", "-f", file], cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
