using System.Globalization;
using System.Text.RegularExpressions;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// Ludus <c>range-config.yml</c>: each VM of <c>ludus</c> becomes a machine; each VLAN a network. Ludus addresses
/// implicitly (<c>10.&lt;range&gt;.&lt;vlan&gt;.&lt;ip_last_octet&gt;</c>, its router at .254 of each VLAN); a room is its
/// own address space, so the range's octet becomes 0. Ludus routes between VLANs through a firewall; a room's router
/// has none, so it is made only when <c>network.inter_vlan_default</c> is ACCEPT (never more open than the source), and
/// every firewall rule is listed as not mapped.
/// </summary>
internal static partial class LudusImporter
{
    private const int RouterOctet = 254;

    private static readonly HashSet<string> VmRead = ["vm_name", "hostname", "template", "vlan", "ip_last_octet", "ram_gb", "cpus"];

    private static readonly Dictionary<string, string> VmKnown = new(StringComparer.Ordinal)
    {
        ["windows"] = "Windows set-up (sysprep, autologon…) is the template's business here",
        ["linux"] = "the template decides the guest",
        ["macOS"] = "the template decides the guest",
        ["domain"] = "no Active Directory roles in a room",
        ["testing"] = "Ludus's testing mode (snapshots, internet blocking) has no counterpart; rooms never reach the internet",
        ["roles"] = "Ansible roles; the room has no provisioning step",
        ["role_vars"] = "Ansible variables; the room has no provisioning step",
        ["ram_min_gb"] = "memory is fixed (ram_gb)",
        ["full_clone"] = "machines are copy-on-write overlays of their template",
        ["force_ip"] = "the address is set through the guest agent in any case",
        ["unmanaged"] = "every machine is managed through its guest agent",
        ["dns_rewrites"] = "no DNS rewrites; a network with a router can answer the machines' names",
    };

    private static readonly Dictionary<string, string> RootKnown = new(StringComparer.Ordinal)
    {
        ["defaults"] = "Ludus range defaults (snapshots, time zone, AD…) have no counterpart",
        ["ludus_extensions"] = "free-form and not interpreted by Ludus either",
        ["global_role_vars"] = "Ansible variables; the room has no provisioning step",
        ["router"] = "the room's router is the platform's (ADR 0039), not a Ludus router VM",
        ["notify"] = "no notifications",
    };

    public static RoomDefinition Import(ForeignNode root, ImportContext context)
    {
        var vms = root.Get("ludus") ?? throw root.Error("not a Ludus range config: it has no 'ludus' list of VMs");
        var networks = new SortedDictionary<int, NetworkDefinition>();
        var machines = new List<MachineDefinition>();
        foreach (var vm in vms.Items())
        {
            var nameNode = vm.Get("vm_name") ?? vm.Required("hostname");
            var vlanNode = vm.Required("vlan");
            var vlan = vm.IntOf("vlan")!.Value;
            if (vlan is < 1 or > 253)
            {
                throw vlanNode.Error($"VLAN {vlan} cannot be a network here: its addresses would be 10.0.{vlan}.0/24, so 1-253");
            }

            var octet = vm.IntOf("ip_last_octet") ?? throw vm.Error("'ip_last_octet' is required here");
            if (octet is < 1 or >= RouterOctet)
            {
                throw vm.Required("ip_last_octet").Error($"{octet} is not a host of the VLAN here (1-253; .254 is its router)");
            }

            if (!networks.TryGetValue(vlan, out var network))
            {
                network = new NetworkDefinition { Name = context.Networks.Take($"vlan{vlan}", "vlan"), Cidr = Invariant($"10.0.{vlan}.0/24") };
                networks[vlan] = network;
            }

            var ram = vm.IntOf("ram_gb");
            machines.Add(new MachineDefinition
            {
                Name = context.Machines.Take(WithoutPlaceholders(nameNode.Text()), "vm"),
                Template = context.Template(vm.Get("template") ?? vm, vm.TextOf("template")),
                Cpus = vm.IntOf("cpus"),
                Memory = ram is null ? null : Invariant($"{ram}Gi"),
                Nics = [new NicDefinition { Network = network.Name, Ip = Invariant($"10.0.{vlan}.{octet}") }],
            });
            if (vm.Get("vm_name") is not null && vm.Get("hostname") is { } hostname)
            {
                context.Note(hostname, "the machine's hostname is its name here (vm_name without its {{ … }} placeholders)");
            }

            context.NoteOthers(vm, VmRead, VmKnown);
        }

        var routers = Routing(root.Get("network"), networks.Values.ToList(), context);
        context.NoteOthers(root, new HashSet<string>(["ludus", "network"]), RootKnown);
        return new RoomDefinition
        {
            Metadata = new RoomMetadata { Name = context.RoomName(null), Description = "Imported from a Ludus range config." },
            Networks = networks.Values.ToList(),
            Machines = machines,
            Routers = routers,
        };
    }

    private static List<RouterDefinition>? Routing(ForeignNode? network, List<NetworkDefinition> networks, ImportContext context)
    {
        if (network is null)
        {
            return null;
        }

        var between = network.TextOf("inter_vlan_default")?.ToUpperInvariant();
        foreach (var rule in network.Get("rules")?.Items() ?? [])
        {
            context.Note(rule, $"not mapped: a room's router has no firewall, so rule '{rule.TextOf("name") ?? "unnamed"}' is not enforced"
                + (between == "ACCEPT" ? " (every VLAN reaches every other)" : " (the VLANs are not routed at all)"));
        }

        context.NoteOthers(network, new HashSet<string>(["rules", "inter_vlan_default"]), new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["external_default"] = "the room has no internet (every network's `internet` is `none`)",
            ["always_blocked_networks"] = "nothing leaves the room in any case",
        });
        if (between != "ACCEPT" || networks.Count < 2)
        {
            if (network.Get("inter_vlan_default") is { } policy && between != "ACCEPT")
            {
                context.Note(policy, "the VLANs are not routed: a room's router cannot filter, and Ludus's default here is to reject");
            }

            return null;
        }

        return
        [
            new RouterDefinition
            {
                Name = context.Routers.Take("router", "router"),
                Interfaces = networks.Select(n => new RouterInterfaceDefinition { Network = n.Name, Ip = n.Cidr.Replace(".0/24", Invariant($".{RouterOctet}"), StringComparison.Ordinal) }).ToList(),
            },
        ];
    }

    /// <summary><c>{{ range_id }}-dc01</c> → <c>dc01</c>: Ludus fills the placeholders per user; a room's names are its own.</summary>
    private static string WithoutPlaceholders(string name) => Placeholder().Replace(name, "").Trim('-', '_', ' ');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\{\{[^}]*\}\}")]
    private static partial Regex Placeholder();
}
