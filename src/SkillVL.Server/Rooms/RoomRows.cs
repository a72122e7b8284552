using SkillVL.Core.Addressing;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Quantities;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Machines;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Rooms;

/// <summary>
/// The rows of one room (networks with their VNIs, machines, NICs) made to match a definition, for
/// <see cref="RoomService"/>: the part of an apply that writes, after validation, quotas and placement said yes.
/// </summary>
internal sealed class RoomRows(SkillVlDbContext db, VniPool vnis)
{
    /// <summary>
    /// Makes the room's rows match the definition. Unchanged networks, machines and NICs keep their ids
    /// (so bridges, disks, taps and MACs stay); what left the definition is removed from the database and
    /// the reconciler's orphan sweep removes it from the node.
    /// </summary>
    /// <returns>Null, or why it cannot be done (the VNI pool is exhausted).</returns>
    /// <param name="before">The room's definition before this apply (null for a new room): a machine whose default
    /// gateway or name server changes is configured again in its guest, as one whose addresses change.</param>
    public string? Converge(
        RoomEntity room, RoomDefinition definition, Dictionary<string, TemplateEntity> templates, HashSet<int> usedVnis, Dictionary<string, string> placement,
        RoomDefinition? before = null)
    {
        var networks = room.Networks.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var removed in networks.Values.Where(n => definition.Networks.All(d => d.Name != n.Name)).ToList())
        {
            room.Networks.Remove(removed);
            db.Networks.Remove(removed);
            networks.Remove(removed.Name);
        }

        foreach (var wanted in definition.Networks)
        {
            if (!networks.TryGetValue(wanted.Name, out var network))
            {
                var vni = vnis.Allocate(usedVnis);
                if (vni is null)
                {
                    return $"The VXLAN VNI pool ({vnis.First}-{vnis.Last}) is exhausted: delete rooms or widen SkillVL:Overlay:Vni*.";
                }

                network = new NetworkEntity { Id = ShortId.New(), RoomId = room.Id, Name = wanted.Name, Cidr = wanted.Cidr, Vni = vni.Value };
                room.Networks.Add(network);
                networks[wanted.Name] = network;
            }

            network.Cidr = Ipv4Cidr.Parse(wanted.Cidr).ToString();
            network.Mtu = wanted.Mtu ?? RoomService.DefaultMtu;
        }

        var machines = room.Machines.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var machine in machines.Values.ToList())
        {
            var wanted = definition.Machines.FirstOrDefault(d => d.Name == machine.Name);
            // A machine whose template changed gets a new identity: its disk must be cloned from the new base.
            if (wanted is null || templates[wanted.Template].Sha256 != machine.TemplateSha256)
            {
                room.Machines.Remove(machine);
                db.Machines.Remove(machine);
                machines.Remove(machine.Name);
            }
        }

        foreach (var wanted in definition.Machines)
        {
            var template = templates[wanted.Template];
            var cpus = wanted.Cpus ?? template.DefaultCpus;
            var memory = wanted.Memory is null ? template.DefaultMemoryBytes : MemoryQuantity.ParseBytes(wanted.Memory);
            if (!machines.TryGetValue(wanted.Name, out var machine))
            {
                machine = new MachineEntity
                {
                    Id = ShortId.New(),
                    RoomId = room.Id,
                    Name = wanted.Name,
                    TemplateName = template.Name,
                    TemplateSha256 = template.Sha256,
                    NodeName = placement[wanted.Name],
                    DesiredState = MachineStates.Running,
                };
                room.Machines.Add(machine);
            }

            machine.Cpus = cpus;
            machine.MemoryBytes = memory;
            ConvergeNics(machine, wanted, networks);
            if (before?.Machines.FirstOrDefault(m => m.Name == wanted.Name) is { } old
                && (RoomRouting.DefaultGateway(before, old) != RoomRouting.DefaultGateway(definition, wanted)
                    || RoomRouting.NameServer(before, old) != RoomRouting.NameServer(definition, wanted)))
            {
                machine.GuestReady = false; // the guest script sets them (ADR 0039)
            }
        }

        return null;
    }

    private void ConvergeNics(MachineEntity machine, MachineDefinition wanted, Dictionary<string, NetworkEntity> networks)
    {
        var addressesChanged = false;
        var kept = new List<NicEntity>();
        for (var index = 0; index < wanted.Nics.Count; index++)
        {
            var nicDef = wanted.Nics[index];
            var networkId = networks[nicDef.Network].Id;
            var nic = machine.Nics.FirstOrDefault(n => n.Index == index && n.NetworkId == networkId);
            if (nic is null)
            {
                var id = ShortId.New();
                nic = new NicEntity { Id = id, MachineId = machine.Id, NetworkId = networkId, Index = index, MacAddress = MachineSpecs.MacFor(id) };
                machine.Nics.Add(nic);
                addressesChanged = true;
            }

            addressesChanged |= nic.Ip != nicDef.Ip;
            nic.Ip = nicDef.Ip;
            kept.Add(nic);
        }

        foreach (var stale in machine.Nics.Except(kept).ToList())
        {
            machine.Nics.Remove(stale);
            db.Nics.Remove(stale);
            addressesChanged = true;
        }

        if (addressesChanged)
        {
            // The reconciler applies addresses through the guest agent; make it do so again.
            machine.GuestReady = false;
        }
    }
}
