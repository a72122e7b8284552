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
    public static bool Needed(RouterSpec router) => Instances(router).Count > 0;

    /// <summary>
    /// The dnsmasq instances the router runs, each named by whether it serves DNS: one (<c>true</c>) for the legs with
    /// DNS (and their DHCP), one (<c>false</c>) with its DNS server off for the legs with DHCP only. Two, because dnsmasq
    /// cannot turn DNS off per interface (<c>port=0</c> is global) and a network without <c>dns</c> must get no answers
    /// at the router's address there (issue 18). Both may lease on the same namespace: with bind-interfaces each binds
    /// the DHCP port with SO_REUSEADDR and serves only its own interfaces, as libvirt runs one per network.
    /// </summary>
    public static IReadOnlyList<bool> Instances(RouterSpec router)
    {
        ArgumentNullException.ThrowIfNull(router);
        var instances = new List<bool>(2);
        if (router.Legs.Any(l => l.Dns))
        {
            instances.Add(true);
        }

        if (router.Legs.Any(l => !l.Dns && l.DhcpFirst is not null))
        {
            instances.Add(false);
        }

        return instances;
    }

    /// <summary>The base of the instance's file names in the router's directory ("dnsmasq", "dnsmasq-dhcp").</summary>
    public static string InstanceName(bool dns) => dns ? "dnsmasq" : "dnsmasq-dhcp";

    /// <summary>The interface name of leg <paramref name="index"/> inside the router's namespace.</summary>
    public static string LegInterface(int index) => "l" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <param name="router">The router.</param>
    /// <param name="dns">Which instance (<see cref="Instances"/>): the DNS legs', or the DHCP-only legs' with DNS off.</param>
    /// <param name="pidFile">The instance's pid file.</param>
    /// <param name="leaseFile">The instance's lease file.</param>
    /// <param name="hostsFile">The room's names (read by the DNS instance only).</param>
    public static string Build(RouterSpec router, bool dns, string pidFile, string leaseFile, string hostsFile)
    {
        ArgumentNullException.ThrowIfNull(router);
        var text = new StringBuilder()
            .AppendLine($"# SkillVL router {router.Id} (ADR 0039), {(dns ? "DNS legs" : "DHCP-only legs")}; written by the node agent")
            .AppendLine("no-resolv")
            .AppendLine("no-hosts")
            .AppendLine("no-poll")
            .AppendLine("bind-interfaces")
            .AppendLine("except-interface=lo")
            .AppendLine("domain-needed")
            .AppendLine("bogus-priv")
            .AppendLine("dhcp-authoritative")
            .AppendLine($"pid-file={pidFile}")
            .AppendLine($"dhcp-leasefile={leaseFile}");

        // Port 0 turns the DNS server off: the DHCP-only legs' instance must not answer names. The DNS instance binds
        // port 53 on its own legs' addresses only (bind-interfaces), so none is answered at a DHCP-only leg's address.
        text.AppendLine(dns ? $"addn-hosts={hostsFile}" : "port=0");
        if (dns)
        {
            text.AppendLine("port=53");
        }

        for (var i = 0; i < router.Legs.Count; i++)
        {
            var leg = router.Legs[i];
            if (dns ? !leg.Dns : leg.Dns || leg.DhcpFirst is null)
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
