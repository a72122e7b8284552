using System.Globalization;

namespace SkillVL.ProxmoxSimulator;

/// <summary>The simulated methods (called under the simulator's lock, after the schema allowed the request).</summary>
public sealed partial class ProxmoxSimulator
{
    private SimulatorReply Dispatch(SimulatorCall call) => $"{call.Match.Method} {call.Match.Template}" switch
    {
        "GET /version" => SimulatorReply.Ok(new { version = Version, release = string.Join('.', Version.Split('.').Take(2)), repoid = "1a2b3c4d" }),
        "GET /cluster/status" => Need(call, "/", "Sys.Audit") ?? SimulatorReply.Ok(ClusterStatus()),
        "GET /cluster/resources" => SimulatorReply.Ok(Resources(call)),
        "GET /nodes" => SimulatorReply.Ok(Nodes.Select(n => new { node = n.Key, status = n.Value ? "online" : "offline", type = "node" }).ToList()),
        "GET /access/permissions" => SimulatorReply.Ok(Permissions(call)),
        "GET /storage" => SimulatorReply.Ok(Storage
            .Where(s => call.Token.Effective($"/storage/{s.Key}").Overlaps(["Datastore.Audit", "Datastore.AllocateSpace"]))
            .Select(s => new { storage = s.Key, type = s.Value.Type, content = s.Value.Content, shared = s.Value.Shared ? 1 : 0 }).ToList()),
        "GET /cluster/nextid" => NextId(call),
        "GET /cluster/sdn/zones" => SimulatorReply.Ok(Zones
            .Where(z => call.Token.Effective($"/sdn/zones/{z.Key}").Overlaps(["SDN.Audit", "SDN.Allocate"]))
            .Select(z => new { zone = z.Key, type = z.Value, peers = z.Value == "vxlan" ? "192.0.2.1,192.0.2.2" : null }).ToList()),
        "GET /cluster/sdn/vnets" => SimulatorReply.Ok(VnetList(call.Parameter("pending") == "1")),
        "POST /cluster/sdn/vnets" => CreateVnet(call),
        "DELETE /cluster/sdn/vnets/{vnet}" => DeleteVnet(call),
        "PUT /cluster/sdn" => Need(call, "/sdn", "SDN.Allocate") ?? ApplySdn(call),
        "GET /nodes/{node}/tasks/{upid}/status" => TaskStatus(call),
        "GET /nodes/{node}/tasks/{upid}/log" => TaskLog(call),
        "GET /nodes/{node}/qemu" => SimulatorReply.Ok(Vms.Values.Where(v => v.Node == call.Path("node"))
            .Select(v => new { vmid = v.VmId, name = v.Name, status = v.Running ? "running" : "stopped", template = v.Template ? 1 : 0 }).ToList()),
        "POST /nodes/{node}/qemu/{vmid}/clone" => Clone(call),
        "GET /nodes/{node}/qemu/{vmid}/config" => WithVm(call, "VM.Audit", vm => SimulatorReply.Ok(Config(vm))),
        "PUT /nodes/{node}/qemu/{vmid}/config" => WithVm(call, "VM.Config.Options", vm => SetConfig(call, vm)),
        "GET /nodes/{node}/qemu/{vmid}/status/current" => WithVm(call, "VM.Audit", vm => SimulatorReply.Ok(new
        {
            vmid = vm.VmId, name = vm.Name, status = vm.Running ? "running" : "stopped", @lock = vm.Lock, template = vm.Template ? 1 : 0, agent = 1,
        })),
        "POST /nodes/{node}/qemu/{vmid}/status/start" => WithVm(call, "VM.PowerMgmt", vm => Start(call, vm)),
        "POST /nodes/{node}/qemu/{vmid}/status/stop" => WithVm(call, "VM.PowerMgmt", vm => Unlocked(vm) ?? Run(call, vm, "qmstop", () => vm.Running = false)),
        "DELETE /nodes/{node}/qemu/{vmid}" => WithVm(call, "VM.Allocate", vm => Unlocked(vm) ?? (vm.Running
            ? SimulatorReply.Error(500, $"VM {vm.VmId} is running - destroy failed")
            : Run(call, vm, "qmdestroy", () => Vms.Remove(vm.VmId)))),
        "POST /nodes/{node}/qemu/{vmid}/migrate" => WithVm(call, "VM.Migrate", vm => Migrate(call, vm)),
        "POST /nodes/{node}/qemu/{vmid}/vncproxy" or "POST /nodes/{node}/qemu/{vmid}/termproxy" => WithVm(call, "VM.Console", vm => vm.Running
            ? IssueConsoleTicket(call, vm)
            : SimulatorReply.Error(500, $"VM {vm.VmId} not running")),
        "GET /nodes/{node}/qemu/{vmid}/vncwebsocket" => WithVm(call, "VM.Console", vm =>
            ConsoleTickets.TryGetValue(call.Parameter("vncticket")!, out var ticket) && ticket.VmId == vm.VmId
                && ticket.Port.ToString(CultureInfo.InvariantCulture) == call.Parameter("port") && DateTimeOffset.UtcNow <= ticket.Until
                ? SimulatorReply.Ok(new { port = call.Parameter("port") })
                : SimulatorReply.Error(401, "permission denied - invalid PVEVNC ticket")),
        _ => SimulatorReply.Error(501, $"Method '{call.Match.Method} {call.Match.Template}' not simulated (the simulator is a stand-in: see its doc comment)"),
    };

    private SimulatorReply IssueConsoleTicket(SimulatorCall call, SimulatedVm vm)
    {
        var ticket = "PVEVNC:" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var port = nextConsolePort;
        nextConsolePort = nextConsolePort == 5999 ? 5900 : nextConsolePort + 1;
        ConsoleTickets[ticket] = (vm.VmId, port, DateTimeOffset.UtcNow + ConsoleTicketLifetime);

        // The port as a string, as client mocks and Perl's serialization show it (NOTES.md §3).
        return SimulatorReply.Ok(new
        {
            user = call.Token.Id, ticket, port = port.ToString(CultureInfo.InvariantCulture),
            upid = NewUpid(vm.Node, "vncproxy", vm.VmId.ToString(CultureInfo.InvariantCulture), call.Token.Id),
        });
    }

    private static SimulatorReply? Need(SimulatorCall call, string path, string privilege) =>
        call.Token.Effective(path).Contains(privilege) ? null : SimulatorReply.Error(403, $"Permission check failed ({path}, {privilege})");

    private SimulatorReply WithVm(SimulatorCall call, string privilege, Func<SimulatedVm, SimulatorReply> action)
    {
        if (Need(call, $"/vms/{call.VmId}", privilege) is { } denied)
        {
            return denied;
        }

        if (!Nodes.TryGetValue(call.Path("node"), out var online))
        {
            return SimulatorReply.Error(500, $"no such cluster node '{call.Path("node")}'");
        }

        if (!online)
        {
            // pveproxy's answer when it cannot reach the node it proxies to.
            return SimulatorReply.Error(595, $"Connection refused");
        }

        return Vms.TryGetValue(call.VmId, out var vm) && vm.Node == call.Path("node")
            ? action(vm)
            : SimulatorReply.Error(500, $"Configuration file 'nodes/{call.Path("node")}/qemu-server/{call.VmId}.conf' does not exist");
    }

    private static SimulatorReply? Unlocked(SimulatedVm vm) =>
        vm.Lock is { } held ? SimulatorReply.Error(500, $"VM {vm.VmId} is locked ({held})") : null;

    private SimulatorReply Run(SimulatorCall call, SimulatedVm vm, string type, Action finish) =>
        SimulatorReply.Ok(StartTask(vm.Node, type, vm.VmId.ToString(CultureInfo.InvariantCulture), call.Token.Id, finish).Upid);

    private SimulatorReply Clone(SimulatorCall call)
    {
        var newId = long.Parse(call.Parameter("newid")!, CultureInfo.InvariantCulture);
        var pool = call.Parameter("pool");
        if (Need(call, $"/vms/{call.VmId}", "VM.Clone") is { } denied)
        {
            return denied;
        }

        if (Need(call, $"/vms/{newId}", "VM.Allocate") is { } noAllocate && (pool is null || Need(call, $"/pool/{pool}", "VM.Allocate") is not null))
        {
            return noAllocate;
        }

        return WithVm(call, "VM.Clone", source =>
        {
            if (Vms.ContainsKey(newId))
            {
                return SimulatorReply.Error(500, $"unable to create VM {newId}: config file already exists");
            }

            if (!source.Template && call.Parameter("full") == "0")
            {
                return SimulatorReply.Error(500, "Linked clone feature is not supported for a VM that is not a template");
            }

            // qemu-server clone_vm writes 'lock: clone' into the new config for the whole task.
            var clone = new SimulatedVm(newId, source.Node, call.Parameter("name") ?? $"Copy-of-VM-{source.Name}") { Lock = "clone" };
            foreach (var (key, value) in source.Config)
            {
                clone.Config[key] = value;
            }

            Vms[newId] = clone;
            return Run(call, source, "qmclone", () => clone.Lock = null);
        });
    }

    private SimulatorReply SetConfig(SimulatorCall call, SimulatedVm vm)
    {
        if (vm.Lock is not null)
        {
            // A synchronous write waits for the config lock the clone task holds, then gives up (NOTES.md §12).
            return SimulatorReply.Error(500, $"can't lock file '/var/lock/qemu-server/lock-{vm.VmId}.conf' - got timeout");
        }

        if (call.Parameter("digest") is { } digest && digest != Digest(vm))
        {
            return SimulatorReply.Error(500, "detected modified configuration - file changed by other user? Try again.");
        }

        foreach (var (key, value) in call.Parameters.Where(p => p.Key is not ("node" or "vmid" or "digest")))
        {
            vm.Config[key] = value;
        }

        return SimulatorReply.Ok(null);
    }

    private SimulatorReply Start(SimulatorCall call, SimulatedVm vm)
    {
        if (vm.Template)
        {
            return SimulatorReply.Error(500, "you can't start a vm if it's a template");
        }

        return Unlocked(vm) ?? (vm.Running
            ? SimulatorReply.Error(500, $"VM {vm.VmId} already running")
            : Run(call, vm, "qmstart", () => vm.Running = true));
    }

    private SimulatorReply Migrate(SimulatorCall call, SimulatedVm vm)
    {
        var target = call.Parameter("target")!;
        if (Unlocked(vm) is { } locked)
        {
            return locked;
        }

        if (!Nodes.TryGetValue(target, out var online) || target == vm.Node)
        {
            return SimulatorReply.Error(500, $"target is local node or not a cluster member: {target}");
        }

        if (vm.Running && call.Parameter("online") != "1")
        {
            return SimulatorReply.Error(500, "can't migrate running VM without --online");
        }

        vm.Lock = "migrate";
        var task = StartTask(vm.Node, "qmigrate", vm.VmId.ToString(CultureInfo.InvariantCulture), call.Token.Id, () =>
        {
            vm.Lock = null;
            if (online)
            {
                vm.Node = target;
            }
        });
        if (!online)
        {
            task.ExitStatus = $"migration problems: target node '{target}' is offline";
        }

        return SimulatorReply.Ok(task.Upid);
    }

    /// <summary>
    /// 40 hex digits like PVE's (a SHA-1 of the config file; the schema caps <c>digest</c> at 40 characters). Cut from a
    /// SHA-256 here: only its length and its change with the config matter, and the analyzers rightly refuse SHA-1.
    /// </summary>
    private static string Digest(SimulatedVm vm) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('\n', vm.Config.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key + "=" + c.Value)))))[..40];

    private static Dictionary<string, object?> Config(SimulatedVm vm)
    {
        var config = vm.Config.ToDictionary(c => c.Key, c => (object?)c.Value, StringComparer.Ordinal);
        config["name"] = vm.Name;
        config["digest"] = Digest(vm);
        if (vm.Lock is not null)
        {
            config["lock"] = vm.Lock;
        }

        if (vm.Template)
        {
            config["template"] = 1;
        }

        return config;
    }
}
