using System.Text;
using SkillVL.Core.Addressing;
using SkillVL.Core.Networking;

namespace SkillVL.Drivers.Qemu.Networking.Routers;

/// <summary>
/// dnsmasq's configuration and hosts file for one router (ADR 0039). Pure, so the isolation it promises is
/// table-tested: no upstream server, no /etc/resolv.conf, no /etc/hosts of the node, listening only on the
/// router's own legs inside its namespace (never on lo, which would be the namespace's anyway).
/// </summary>
public static class DnsmasqConfig
{
    /// <summary>Lease time: long enough that a lesson does not renew often, short enough that a rebuilt room converges.</summary>
    public const string LeaseTime = "1h";

    /// <summary>True when the router needs dnsmasq at all (some leg has DHCP or DNS).</summary>
    public static bool Needed(RouterSpec router) => router.Legs.Any(l => l.DhcpFirst is not null || l.Dns);

    /// <summary>The interface name of leg <paramref name="index"/> inside the router's namespace.</summary>
    public static string LegInterface(int index) => "l" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Build(RouterSpec router, string pidFile, string leaseFile, string hostsFile)
    {
        ArgumentNullException.ThrowIfNull(router);
        var dns = router.Legs.Any(l => l.Dns);
        var text = new StringBuilder()
            .AppendLine($"# SkillVL router {router.Id} (ADR 0039); written by the node agent")
            .AppendLine("no-resolv")
            .AppendLine("no-hosts")
            .AppendLine("no-poll")
            .AppendLine("bind-interfaces")
            .AppendLine("except-interface=lo")
            .AppendLine("domain-needed")
            .AppendLine("bogus-priv")
            .AppendLine("dhcp-authoritative")
            .AppendLine($"pid-file={pidFile}")
            .AppendLine($"dhcp-leasefile={leaseFile}")
            .AppendLine($"addn-hosts={hostsFile}");

        // Port 0 turns the DNS server off: a router with DHCP only must not answer names.
        text.AppendLine(dns ? "port=53" : "port=0");
        for (var i = 0; i < router.Legs.Count; i++)
        {
            var leg = router.Legs[i];
            if (leg.DhcpFirst is null && !leg.Dns)
            {
                continue;
            }

            var name = LegInterface(i);
            var (address, cidr) = Split(leg.Address);
            text.AppendLine($"interface={name}");
            if (leg.DhcpFirst is { } first && leg.DhcpLast is { } last)
            {
                text.AppendLine($"dhcp-range=set:{name},{first},{last},{cidr.Netmask},{LeaseTime}")
                    .AppendLine($"dhcp-option=tag:{name},option:router,{address}")
                    .AppendLine(leg.Dns ? $"dhcp-option=tag:{name},option:dns-server,{address}" : $"dhcp-option=tag:{name},option:dns-server");
            }
            else
            {
                text.AppendLine($"no-dhcp-interface={name}");
            }
        }

        return text.ToString();
    }

    /// <summary>One "address name" line per host, in the order given.</summary>
    public static string Hosts(RouterSpec router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var text = new StringBuilder();
        foreach (var host in router.Hosts)
        {
            text.Append(host.Address).Append(' ').AppendLine(host.Name);
        }

        return text.ToString();
    }

    private static (string Address, Ipv4Cidr Cidr) Split(string addressWithPrefix) =>
        Ipv4Cidr.TryParseHostWithPrefix(addressWithPrefix, out var ip, out var cidr)
            ? (ip.ToString(), cidr)
            : throw new ArgumentException($"'{addressWithPrefix}' is not an address with prefix length.", nameof(addressWithPrefix));
}
