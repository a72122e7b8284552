using System.Globalization;

namespace SkillVL.ProxmoxSimulator;

/// <summary>Cluster-wide, access, SDN and task methods of the simulator.</summary>
public sealed partial class ProxmoxSimulator
{
    private List<object> ClusterStatus()
    {
        var entries = new List<object> { new { type = "cluster", id = "cluster", name = "simulated", quorate = 1, nodes = Nodes.Count, version = 4 } };
        entries.AddRange(Nodes.Select((n, i) => (object)new { type = "node", id = "node/" + n.Key, name = n.Key, online = n.Value ? 1 : 0, ip = $"192.0.2.{i + 1}", local = i == 0 ? 1 : 0, level = "", nodeid = i + 1 }));
        return entries;
    }

    private List<object> Resources(SimulatorCall call)
    {
        var type = call.Parameter("type");
        var result = new List<object>();
        if (type is null or "node")
        {
            result.AddRange(Nodes.Select(n => (object)new { id = "node/" + n.Key, type = "node", node = n.Key, status = n.Value ? "online" : "offline", maxcpu = 16, maxmem = 68719476736L }));
        }

        if (type is null or "vm")
        {
            // Filtered by VM.Audit, as PVE filters the list by the caller's privileges.
            result.AddRange(Vms.Values.Where(v => call.Token.Effective($"/vms/{v.VmId}").Contains("VM.Audit")).Select(v => (object)new
            {
                id = $"qemu/{v.VmId}", type = "qemu", node = v.Node, vmid = v.VmId, name = v.Name, status = v.Running ? "running" : "stopped",
                template = v.Template ? 1 : 0, maxcpu = 1, maxmem = 268435456L, tags = v.Config.GetValueOrDefault("tags"), @lock = v.Lock,
            }));
        }

        return result;
    }

    private Dictionary<string, Dictionary<string, int>> Permissions(SimulatorCall call)
    {
        if (call.Parameter("path") is { } path)
        {
            return new() { [path] = call.Token.Effective(path).ToDictionary(p => p, _ => 1, StringComparer.Ordinal) };
        }

        return call.Token.Acl.Keys.ToDictionary(p => p, p => call.Token.Effective(p).ToDictionary(x => x, _ => 1, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private SimulatorReply NextId(SimulatorCall call)
    {
        if (call.Parameter("vmid") is { } wanted)
        {
            var vmid = long.Parse(wanted, CultureInfo.InvariantCulture);
            // The captured answer (bpg #1610): 400 with the message under errors.vmid.
            return Vms.ContainsKey(vmid)
                ? SimulatorReply.BadParameters(new Dictionary<string, string> { ["vmid"] = $"VM {vmid} already exists" })
                : SimulatorReply.Ok(wanted);
        }

        var next = 100L;
        while (Vms.ContainsKey(next))
        {
            next++;
        }

        // A string, as PVE sends it (it used the number as a hash key first).
        return SimulatorReply.Ok(next.ToString(CultureInfo.InvariantCulture));
    }

    private List<object> VnetList(bool pending)
    {
        var list = Vnets.Where(v => !pending || !PendingVnets.ContainsKey(v.Key))
            .Select(v => (object)new { vnet = v.Key, zone = v.Value.Zone, tag = v.Value.Tag, type = "vnet" }).ToList();
        if (pending)
        {
            list.AddRange(PendingVnets.Select(v => (object)new { vnet = v.Key, zone = v.Value.Zone, tag = v.Value.Tag, type = "vnet", state = v.Value.State }));
        }

        return list;
    }

    private SimulatorReply CreateVnet(SimulatorCall call)
    {
        var vnet = call.Parameter("vnet")!;
        var zone = call.Parameter("zone")!;
        if (Need(call, $"/sdn/zones/{zone}", "SDN.Allocate") is { } denied)
        {
            return denied;
        }

        if (!Zones.ContainsKey(zone))
        {
            return SimulatorReply.Error(500, $"zone '{zone}' does not exist");
        }

        if (Vnets.ContainsKey(vnet) || PendingVnets.ContainsKey(vnet))
        {
            return SimulatorReply.Error(500, $"create sdn vnet object failed: vnet ID '{vnet}' already defined");
        }

        var tag = long.Parse(call.Parameter("tag") ?? "0", CultureInfo.InvariantCulture);
        if (Vnets.Values.Any(v => v.Tag == tag) || PendingVnets.Values.Any(v => v.Tag == tag))
        {
            return SimulatorReply.Error(500, $"tag {tag} already exists in vnet");
        }

        PendingVnets[vnet] = (zone, tag, "new");
        return SimulatorReply.Ok(null);
    }

    private SimulatorReply DeleteVnet(SimulatorCall call)
    {
        var vnet = call.Path("vnet");
        if (PendingVnets.TryGetValue(vnet, out var pending) && pending.State == "new")
        {
            PendingVnets.Remove(vnet);
            return SimulatorReply.Ok(null);
        }

        if (!Vnets.TryGetValue(vnet, out var applied))
        {
            return SimulatorReply.Error(500, $"sdn vnet object ID '{vnet}' does not exist");
        }

        if (Need(call, $"/sdn/zones/{applied.Zone}/{vnet}", "SDN.Allocate") is { } denied)
        {
            return denied;
        }

        PendingVnets[vnet] = (applied.Zone, applied.Tag, "deleted");
        return SimulatorReply.Ok(null);
    }

    private SimulatorReply ApplySdn(SimulatorCall call)
    {
        // The configuration is committed at once; the reloadnetworkall task then reloads every node.
        foreach (var (vnet, change) in PendingVnets)
        {
            if (change.State == "deleted")
            {
                Vnets.Remove(vnet);
            }
            else
            {
                Vnets[vnet] = (change.Zone, change.Tag);
            }
        }

        PendingVnets.Clear();
        return SimulatorReply.Ok(StartTask(Nodes.Keys.First(), "reloadnetworkall", "", call.Token.Id, null).Upid);
    }

    private SimulatorReply TaskStatus(SimulatorCall call)
    {
        if (!Tasks.TryGetValue(call.Path("upid"), out var task) || task.Node != call.Path("node"))
        {
            return SimulatorReply.Error(500, "unable to open file - No such file or directory");
        }

        return SimulatorReply.Ok(new Dictionary<string, object?>
        {
            ["upid"] = task.Upid, ["node"] = task.Node, ["type"] = task.Type, ["id"] = task.Id, ["user"] = task.User,
            ["status"] = task.Stopped ? "stopped" : "running", ["exitstatus"] = task.Stopped ? task.ExitStatus : null,
            ["pid"] = 4096, ["pstart"] = 28672, ["starttime"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        });
    }

    private SimulatorReply TaskLog(SimulatorCall call)
    {
        if (!Tasks.TryGetValue(call.Path("upid"), out var task))
        {
            return SimulatorReply.Error(500, "unable to open file - No such file or directory");
        }

        var start = int.Parse(call.Parameter("start") ?? "0", CultureInfo.InvariantCulture);
        var limit = int.Parse(call.Parameter("limit") ?? "50", CultureInfo.InvariantCulture);
        return SimulatorReply.Ok(task.Log.Skip(start).Take(limit).Select((t, i) => new { n = start + i + 1, t }).ToList());
    }
}
