using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// containerlab <c>*.clab.yml</c>: nodes become machines (a container or network OS image becomes a template through
/// <c>--template</c>), nodes of kind <c>bridge</c>/<c>ovs-bridge</c> become networks, and each veth link between two
/// machines a network of its own. Addresses come from the nodes' <c>exec</c> lines that set them
/// (<c>ip addr add A/P dev IF</c>), which also give the network its CIDR; a network with none gets a free /24 of
/// 10.200.0.0/16. A machine's NICs follow its interface names in order (its first data interface is the guest's first NIC).
/// </summary>
internal static partial class ContainerlabImporter
{
    private static readonly HashSet<string> BridgeKinds = new(StringComparer.Ordinal) { "bridge", "ovs-bridge" };

    private static readonly HashSet<string> NodeRead = ["kind", "image", "exec", "cpu", "memory"];

    private static readonly Dictionary<string, string> NodeKnown = new(StringComparer.Ordinal)
    {
        ["startup-config"] = "a network OS's configuration file is not loaded into a VM",
        ["binds"] = "no host directories are mounted into a room's machines",
        ["ports"] = "nothing of a room is published on the host",
        ["env"] = "no environment for a VM",
        ["labels"] = "containerlab labels have no counterpart",
        ["mgmt-ipv4"] = "the management network is not made: consoles replace it",
        ["mgmt-ipv6"] = "the management network is not made: consoles replace it",
        ["group"] = "the designer has no groups",
        ["license"] = "no licence files",
        ["cmd"] = "a container's command has no counterpart in a VM",
        ["entrypoint"] = "a container's entrypoint has no counterpart in a VM",
        ["user"] = "a container's user has no counterpart in a VM",
        ["network-mode"] = "every machine is on the room's networks only",
    };

    private static readonly Dictionary<string, string> RootKnown = new(StringComparer.Ordinal)
    {
        ["prefix"] = "container name prefixes have no counterpart",
        ["mgmt"] = "the management network is not made: the room's machines are reached through their consoles",
        ["settings"] = "containerlab settings have no counterpart",
    };

    private sealed record LabNode(ForeignNode Node, string Name, bool IsBridge, Dictionary<string, (IPAddress Ip, Ipv4Cidr Cidr)> Addresses);

    private sealed record Port(string Node, string Interface);

    public static RoomDefinition Import(ForeignNode root, ImportContext context)
    {
        var topology = root.Get("topology") ?? throw root.Error("not a containerlab topology: it has no 'topology'");
        var nodesNode = topology.Get("nodes") ?? throw topology.Error("not a containerlab topology: it has no 'topology.nodes'");
        var defaults = topology.Get("defaults");
        var kinds = topology.Get("kinds");
        var nodes = new Dictionary<string, LabNode>(StringComparer.Ordinal);
        var machines = new Dictionary<string, MachineDefinition>(StringComparer.Ordinal);
        foreach (var (name, node) in nodesNode.Entries())
        {
            var kind = node.TextOf("kind") ?? defaults?.TextOf("kind") ?? "linux";
            var isBridge = BridgeKinds.Contains(kind);
            nodes[name] = new LabNode(node, name, isBridge, isBridge ? [] : Addresses(node, context));
            if (isBridge)
            {
                continue;
            }

            var image = node.TextOf("image") ?? kinds?.Get(kind)?.TextOf("image") ?? defaults?.TextOf("image");
            // The image's template, else the kind's (a network OS kind names its image family), else the default.
            var mapped = image is not null && context.Options.Templates.ContainsKey(image) ? image : context.Options.Templates.ContainsKey(kind) ? kind : image;
            machines[name] = new MachineDefinition
            {
                Name = context.Machines.Take(name, "node"),
                Template = context.Template(node, mapped),
                Cpus = Cpus(node),
                Memory = Memory(node),
            };
            context.NoteOthers(node, NodeRead, NodeKnown);
        }

        // Networks: one per bridge node, one per veth link between two machines; then each machine's ports on them.
        var networkOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var members = new Dictionary<string, List<Port>>(StringComparer.Ordinal);
        foreach (var bridge in nodes.Values.Where(n => n.IsBridge))
        {
            networkOf[bridge.Name] = context.Networks.Take(bridge.Name, "lan");
            members[networkOf[bridge.Name]] = [];
        }

        foreach (var link in topology.Get("links")?.Items() ?? [])
        {
            var ports = Ports(link, nodes, context);
            if (ports is null)
            {
                continue;
            }

            var bridges = ports.Where(p => nodes[p.Node].IsBridge).ToList();
            if (bridges.Count == 2)
            {
                context.Note(link, "not mapped: a link between two bridges (a room network is one bridge)");
                continue;
            }

            var network = bridges.Count == 1 ? networkOf[bridges[0].Node] : context.Networks.Take($"{ports[0].Node}-{ports[1].Node}", "link");
            (members.TryGetValue(network, out var list) ? list : members[network] = []).AddRange(ports.Where(p => !nodes[p.Node].IsBridge));
        }

        var networks = Networks(members, nodes, topology, context);
        var nics = members
            .SelectMany(m => m.Value.Select(p => (Port: p, Network: m.Key)))
            .GroupBy(x => x.Port.Node, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(x => x.Port.Interface, InterfaceOrder.Instance).Select(x => Nic(x.Port, x.Network, networks, nodes)).ToList(),
                StringComparer.Ordinal);
        if (nics.Count > 0)
        {
            context.Note(topology.Required("links"), "interface names are not kept: a machine's NICs follow its interface names in order (the first is the guest's eth0)");
        }

        context.NoteOthers(topology, new HashSet<string>(["defaults", "kinds", "nodes", "links"]), new Dictionary<string, string>(StringComparer.Ordinal) { ["groups"] = "the designer has no groups" });
        context.NoteOthers(root, new HashSet<string>(["name", "topology"]), RootKnown);
        return new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = context.RoomName(root.TextOf("name")), Description = "Imported from a containerlab topology." },
            Networks = networks.Values.ToList(),
            Machines = machines.Select(m => m.Value with { Nics = nics.TryGetValue(m.Key, out var n) ? n : [] }).ToList(),
        };
    }

    /// <summary>A link's two ports, or null (noted) for a link the room cannot make: to the host, the management
    /// network, a macvlan or VXLAN endpoint, or an unknown node.</summary>
    private static List<Port>? Ports(ForeignNode link, Dictionary<string, LabNode> nodes, ImportContext context)
    {
        var type = link.TextOf("type") ?? "veth";
        if (type != "veth")
        {
            context.Note(link, $"not mapped: a '{type}' link leaves the lab (a room's networks stay inside the room)");
            return null;
        }

        var ends = link.Required("endpoints").Items().Select(e => e.IsMapping
            ? (At: e, Node: e.Required("node").Text(), Interface: e.Required("interface").Text())
            : Split(e)).ToList();
        if (ends.Count != 2)
        {
            throw link.Required("endpoints").Error($"a veth link has two endpoints, not {ends.Count}");
        }

        foreach (var end in ends.Where(e => !nodes.ContainsKey(e.Node)))
        {
            if (end.Node is "host" or "mgmt-net" or "macvlan")
            {
                context.Note(end.At, $"not mapped: a link to '{end.Node}' would leave the room");
                return null;
            }

            throw end.At.Error($"no node named '{end.Node}' in topology.nodes");
        }

        return ends.Select(e => new Port(e.Node, e.Interface)).ToList();
    }

    private static (ForeignNode At, string Node, string Interface) Split(ForeignNode endpoint)
    {
        var text = endpoint.Text();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 || colon == text.Length - 1
            ? throw endpoint.Error($"'{text}' is not an endpoint 'node:interface'")
            : (endpoint, text[..colon], text[(colon + 1)..]);
    }

    /// <summary>Each network's CIDR: the one its members' addresses give, else a free /24.</summary>
    private static Dictionary<string, NetworkDefinition> Networks(
        Dictionary<string, List<Port>> members, Dictionary<string, LabNode> nodes, ForeignNode topology, ImportContext context)
    {
        var given = new Dictionary<string, Ipv4Cidr>(StringComparer.Ordinal);
        foreach (var (network, ports) in members)
        {
            foreach (var port in ports)
            {
                if (nodes[port.Node].Addresses.TryGetValue(port.Interface, out var address) && !given.ContainsKey(network))
                {
                    given[network] = address.Cidr;
                    context.Claim(address.Cidr);
                }
            }
        }

        return members.Keys.ToDictionary(
            n => n,
            n => new NetworkDefinition { Name = n, Cidr = given.TryGetValue(n, out var cidr) ? cidr.ToString() : context.FreeRange(topology) },
            StringComparer.Ordinal);
    }

    private static NicDefinition Nic(Port port, string network, Dictionary<string, NetworkDefinition> networks, Dictionary<string, LabNode> nodes)
    {
        var cidr = Ipv4Cidr.Parse(networks[network].Cidr);
        return nodes[port.Node].Addresses.TryGetValue(port.Interface, out var address) && cidr.Contains(address.Ip)
            ? new NicDefinition { Network = network, Ip = address.Ip.ToString() }
            : new NicDefinition { Network = network };
    }

    /// <summary>The node's <c>exec</c> lines that set an IPv4 address, by interface; every other line is noted.</summary>
    private static Dictionary<string, (IPAddress Ip, Ipv4Cidr Cidr)> Addresses(ForeignNode node, ImportContext context)
    {
        var result = new Dictionary<string, (IPAddress, Ipv4Cidr)>(StringComparer.Ordinal);
        foreach (var line in node.Get("exec")?.Items() ?? [])
        {
            var match = AddressLine().Match(line.Text());
            if (match.Success && Ipv4Cidr.TryParseHostWithPrefix(match.Groups["address"].Value, out var ip, out var cidr))
            {
                result.TryAdd(match.Groups["interface"].Value, (ip, cidr));
                context.Note(line, "taken as the NIC's address (the platform sets it through the guest agent)");
            }
            else
            {
                context.Note(line, "not run: a room has no start-up commands per machine");
            }
        }

        return result;
    }

    private static int? Cpus(ForeignNode node)
    {
        var cpu = node.Get("cpu");
        if (cpu is null)
        {
            return null;
        }

        return double.TryParse(cpu.Text(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? (int)Math.Ceiling(value)
            : throw cpu.Error($"'{cpu.Text()}' is not a number of CPUs");
    }

    /// <summary>containerlab's Docker-style memory (<c>512mb</c>, <c>1Gb</c>, <c>2g</c>) as a room quantity.</summary>
    private static string? Memory(ForeignNode node)
    {
        var memory = node.Get("memory");
        if (memory is null)
        {
            return null;
        }

        var match = MemoryText().Match(memory.Text());
        return match.Success
            ? match.Groups["number"].Value + (match.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "k" or "kb" => "Ki",
                "m" or "mb" => "Mi",
                "g" or "gb" => "Gi",
                _ => "",
            })
            : throw memory.Error($"'{memory.Text()}' is not an amount of memory (512mb, 1Gb)");
    }

    [GeneratedRegex(@"^\s*ip\s+(-4\s+)?a(ddr|ddress)?\s+add\s+(?<address>[0-9.]+/[0-9]+)\s+dev\s+(?<interface>\S+)\s*$")]
    private static partial Regex AddressLine();

    [GeneratedRegex(@"^(?<number>[0-9]+)\s*(?<unit>[kKmMgG][bB]?)?$")]
    private static partial Regex MemoryText();
}
