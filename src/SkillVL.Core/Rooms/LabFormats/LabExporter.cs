using System.Text.Json.Nodes;
using SkillVL.Core.Addressing;

namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// <c>skillvl room export --to kypo|containerlab</c>: a room as a peer's lab file, where the format can hold it (Ludus
/// cannot: its addresses are implicit per VLAN and it has no free CIDRs). What the file cannot carry is listed by its
/// path in the room document (ADR 0053). KYPO's file holds all a room's topology; containerlab's has no platform router,
/// so a router becomes a Linux node that forwards.
/// </summary>
public static class LabExporter
{
    public static LabExportResult Export(LabFormat format, RoomDefinition room)
    {
        ArgumentNullException.ThrowIfNull(room);
        var notes = new List<ValidationError>();
        NoteCommon(room, notes);
        var root = format switch
        {
            LabFormat.Kypo => Kypo(room, notes),
            LabFormat.Containerlab => Containerlab(room, notes),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"a room cannot be exported to {LabImporter.FormatName(format)}: its addresses are implicit per VLAN"),
        };
        return new LabExportResult(RoomYamlWriter.Write(root), notes);
    }

    private static void NoteCommon(RoomDefinition room, List<ValidationError> notes)
    {
        for (var i = 0; i < room.Networks.Count; i++)
        {
            var network = room.Networks[i];
            if (network.Dhcp is not null)
            {
                notes.Add(new ValidationError($"networks[{i}].dhcp", "not carried: the format has no DHCP service of its own"));
            }

            if (network.Dns == true)
            {
                notes.Add(new ValidationError($"networks[{i}].dns", "not carried: the format has no DNS for the machines' names"));
            }

            if (network.Mtu is not null)
            {
                notes.Add(new ValidationError($"networks[{i}].mtu", "not carried: the format has no MTU per network"));
            }
        }

        if (room.Checks is { Count: > 0 })
        {
            notes.Add(new ValidationError("checks", "not carried: exercise checks are SkillVL's"));
        }

        if (room.Placement is not null)
        {
            notes.Add(new ValidationError("placement", "not carried: placement is SkillVL's"));
        }

        for (var r = 0; r < (room.Routers?.Count ?? 0); r++)
        {
            if (room.Routers![r].Routes is { Count: > 0 })
            {
                notes.Add(new ValidationError($"routers[{r}].routes", "not carried: the format's routers take no static routes"));
            }
        }

        for (var m = 0; m < room.Machines.Count; m++)
        {
            if (room.Machines[m].Gateway is not null)
            {
                notes.Add(new ValidationError($"machines[{m}].gateway", "not carried: the format sets no gateway per machine"));
            }
        }
    }

    private static JsonObject Kypo(RoomDefinition room, List<ValidationError> notes)
    {
        var mappings = new JsonArray();
        var hosts = new JsonArray();
        for (var m = 0; m < room.Machines.Count; m++)
        {
            var machine = room.Machines[m];
            hosts.Add(new JsonObject
            {
                ["name"] = machine.Name,
                ["base_box"] = new JsonObject { ["image"] = machine.Template, ["mgmt_user"] = "root" },
                ["flavor"] = "standard.small",
            });
            for (var n = 0; n < machine.Nics.Count; n++)
            {
                var nic = machine.Nics[n];
                if (nic.Ip is null)
                {
                    notes.Add(new ValidationError($"machines[{m}].nics[{n}]", "not carried: KYPO maps a host to a network with an address"));
                    continue;
                }

                mappings.Add(new JsonObject { ["host"] = machine.Name, ["network"] = nic.Network, ["ip"] = nic.Ip });
            }
        }

        notes.Add(new ValidationError("machines", "every host gets flavor standard.small and management user root: KYPO needs both, a room has neither"));
        var root = new JsonObject
        {
            ["name"] = room.Metadata.Name,
            ["hosts"] = hosts,
            ["routers"] = new JsonArray((room.Routers ?? []).Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Name,
                ["base_box"] = new JsonObject { ["image"] = "debian-12", ["mgmt_user"] = "debian" },
                ["flavor"] = "standard.small",
            }).ToArray()),
            ["networks"] = new JsonArray(room.Networks.Select(n => (JsonNode)new JsonObject { ["name"] = n.Name, ["cidr"] = n.Cidr }).ToArray()),
            ["net_mappings"] = mappings,
            ["router_mappings"] = new JsonArray((room.Routers ?? []).SelectMany(r => r.Interfaces.Select(i => (JsonNode)new JsonObject
            {
                ["router"] = r.Name, ["network"] = i.Network, ["ip"] = i.Ip,
            })).ToArray()),
            ["groups"] = new JsonArray(),
        };
        return root;
    }

    private static JsonObject Containerlab(RoomDefinition room, List<ValidationError> notes)
    {
        var nodes = new JsonObject();
        var links = new JsonArray();

        // Each machine's and router's legs in order: containerlab's eth0 is its management interface, so data is eth1….
        var legs = room.Machines.Select(m => (Name: m.Name, Image: m.Template, Nics: m.Nics.Select(n => (Network: n.Network, Ip: n.Ip)).ToList(), Router: false))
            .Concat((room.Routers ?? []).Select(r => (Name: r.Name, Image: "frrouting/frr", Nics: r.Interfaces.Select(i => (Network: i.Network, Ip: (string?)i.Ip)).ToList(), Router: true)))
            .ToList();
        var members = room.Networks.ToDictionary(n => n.Name, n => legs.Sum(l => l.Nics.Count(x => x.Network == n.Name)), StringComparer.Ordinal);
        foreach (var (name, image, nics, router) in legs)
        {
            var exec = new JsonArray();
            for (var i = 0; i < nics.Count; i++)
            {
                if (nics[i].Ip is { } ip)
                {
                    var cidr = Ipv4Cidr.Parse(room.Networks.Single(n => n.Name == nics[i].Network).Cidr);
                    exec.Add($"ip addr add {ip}/{cidr.PrefixLength} dev eth{i + 1}");
                }
            }

            if (router)
            {
                exec.Add("sysctl -w net.ipv4.ip_forward=1");
                notes.Add(new ValidationError($"routers[{room.Routers!.ToList().FindIndex(r => r.Name == name)}]", $"a Linux node '{name}' that forwards (containerlab has no platform router)"));
            }

            var node = new JsonObject { ["kind"] = "linux", ["image"] = image };
            if (exec.Count > 0)
            {
                node["exec"] = exec;
            }

            nodes[name] = node;
        }

        // A network of exactly two legs is a veth between them; any other is a bridge node (containerlab needs a Linux
        // bridge of that name on its host).
        var pending = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var network in room.Networks.Where(n => members[n.Name] != 2))
        {
            nodes[network.Name] = new JsonObject { ["kind"] = "bridge" };
            notes.Add(new ValidationError($"networks[{room.Networks.ToList().IndexOf(network)}]", $"a bridge node '{network.Name}': containerlab needs a Linux bridge of that name on its host"));
        }

        foreach (var (name, _, nics, _) in legs)
        {
            for (var i = 0; i < nics.Count; i++)
            {
                var end = $"{name}:eth{i + 1}";
                var network = nics[i].Network;
                if (members[network] != 2)
                {
                    links.Add(new JsonObject { ["endpoints"] = new JsonArray(end, $"{network}:{name}-eth{i + 1}") });
                }
                else if (pending.Remove(network, out var first))
                {
                    links.Add(new JsonObject { ["endpoints"] = new JsonArray(first, end) });
                }
                else
                {
                    pending[network] = end;
                }
            }
        }

        return new JsonObject
        {
            ["name"] = room.Metadata.Name,
            ["topology"] = new JsonObject { ["nodes"] = nodes, ["links"] = links },
        };
    }
}
