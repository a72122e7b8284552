using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// KYPO / CRCZP sandbox <c>topology.yml</c>: hosts become machines, networks keep their CIDRs, <c>net_mappings</c>
/// become NICs with their addresses, and the KYPO routers become the room's routers (the platform's, ADR 0039, not VMs)
/// with the addresses of <c>router_mappings</c>; hosts then take the router on their network as gateway.
/// </summary>
internal static class KypoImporter
{
    private static readonly HashSet<string> RootRead = ["name", "hosts", "routers", "networks", "net_mappings", "router_mappings"];

    private static readonly Dictionary<string, string> RootKnown = new(StringComparer.Ordinal)
    {
        ["wan"] = "the room has no internet (every network's `internet` is `none`), so KYPO's WAN is not made",
        ["groups"] = "KYPO's Ansible groups; the room has no provisioning step",
        ["monitoring_targets"] = "no monitoring of hosts in a room",
        ["vpn"] = "a room's machines are reached through the browser consoles, not a VPN",
    };

    private static readonly HashSet<string> HostRead = ["name", "base_box"];

    private static readonly Dictionary<string, string> HostKnown = new(StringComparer.Ordinal)
    {
        ["flavor"] = "KYPO flavors are OpenStack's; the machine takes its template's CPUs and memory",
        ["block_internet"] = "honoured as it is: no network of the room reaches the internet",
        ["volumes"] = "a machine has one disk (its template's) today",
        ["hidden"] = "every machine of a room is shown to its students",
        ["extra_values"] = "KYPO's variables for Ansible; the room has no provisioning step",
    };

    public static RoomDefinition Import(ForeignNode root, ImportContext context)
    {
        var hostsNode = root.Get("hosts") ?? throw root.Error("not a KYPO topology: it has no 'hosts'");
        var networkNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var networks = new List<NetworkDefinition>();
        foreach (var item in root.Get("networks")?.Items() ?? [])
        {
            var name = item.Required("name").Text();
            var cidrNode = item.Required("cidr");
            if (!Ipv4Cidr.TryParse(cidrNode.Text(), out var cidr))
            {
                throw cidrNode.Error($"'{cidrNode.Text()}' is not an IPv4 CIDR");
            }

            context.Claim(cidr);
            networkNames[name] = context.Networks.Take(name, "net");
            networks.Add(new NetworkDefinition { Name = networkNames[name], Cidr = cidr.ToString() });
            context.NoteOthers(item, new HashSet<string>(["name", "cidr"]), new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["accessible_by_user"] = "a room's student reaches every machine through its console",
            });
        }

        var machineNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var hosts = new List<(ForeignNode Node, MachineDefinition Machine)>();
        foreach (var host in hostsNode.Items())
        {
            var name = host.Required("name").Text();
            machineNames[name] = context.Machines.Take(name, "host");
            var box = host.Get("base_box");
            box?.Entries().Where(e => e.Key is not "image").ToList().ForEach(e => context.Note(e.Value, "not mapped: the console replaces KYPO's management access"));
            hosts.Add((host, new MachineDefinition { Name = machineNames[name], Template = context.Template(box ?? host, box?.TextOf("image")) }));
            context.NoteOthers(host, HostRead, HostKnown);
        }

        var nics = Mappings(root.Get("net_mappings"), "host", machineNames, networkNames, networks, context);
        var routers = new List<RouterDefinition>();
        var routerInterfaces = Mappings(root.Get("router_mappings"), "router", null, networkNames, networks, context);
        var routerSources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var router in root.Get("routers")?.Items() ?? [])
        {
            var name = router.Required("name").Text();
            routerSources.Add(name);
            context.Note(router, "imported as the room's router (a namespace of the platform, ADR 0039): its base box and flavor are not used");
            routers.Add(new RouterDefinition
            {
                Name = context.Routers.Take(name, "router"),
                Interfaces = routerInterfaces.TryGetValue(name, out var interfaces)
                    ? interfaces.Select(n => new RouterInterfaceDefinition { Network = n.Network, Ip = n.Ip! }).ToList()
                    : throw router.Error($"router '{name}' has no router_mappings"),
            });
        }

        foreach (var orphan in routerInterfaces.Keys.Where(k => !routerSources.Contains(k)))
        {
            throw root.Required("router_mappings").Error($"router_mappings names router '{orphan}', which 'routers' does not list");
        }

        context.NoteOthers(root, RootRead, RootKnown);
        return new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = context.RoomName(root.TextOf("name")), Description = "Imported from a KYPO topology." },
            Networks = networks,
            Machines = hosts.Select(h => h.Machine with { Nics = nics.TryGetValue(h.Node.Required("name").Text(), out var n) ? n : [] }).ToList(),
            Routers = routers.Count == 0 ? null : routers,
        };
    }

    /// <summary><c>net_mappings</c> or <c>router_mappings</c>: per host (or router) its NICs, in file order.</summary>
    private static Dictionary<string, List<NicDefinition>> Mappings(
        ForeignNode? list, string owner, Dictionary<string, string>? owners, Dictionary<string, string> networkNames,
        List<NetworkDefinition> networks, ImportContext context)
    {
        var result = new Dictionary<string, List<NicDefinition>>(StringComparer.Ordinal);
        foreach (var item in list?.Items() ?? [])
        {
            var who = item.Required(owner).Text();
            if (owners is not null && !owners.ContainsKey(who))
            {
                throw item.Required(owner).Error($"no {owner} named '{who}' in this topology");
            }

            var networkNode = item.Required("network");
            var network = networkNames.TryGetValue(networkNode.Text(), out var n) ? n : throw networkNode.Error($"no network named '{networkNode.Text()}' in 'networks'");
            var ipNode = item.Required("ip");
            var cidr = Ipv4Cidr.Parse(networks.Single(x => x.Name == network).Cidr);
            if (!System.Net.IPAddress.TryParse(ipNode.Text(), out var ip) || !cidr.Contains(ip))
            {
                throw ipNode.Error($"'{ipNode.Text()}' is not an address in {networkNode.Text()} ({cidr})");
            }

            (result.TryGetValue(who, out var nics) ? nics : result[who] = []).Add(new NicDefinition { Network = network, Ip = ip.ToString() });
            context.NoteOthers(item, new HashSet<string>([owner, "network", "ip"]), new Dictionary<string, string>(StringComparer.Ordinal));
        }

        return result;
    }
}
