using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SkillVL.Agent.Remote;

// skillvl-agent: a SkillVL node as its own process (issue 5). It enrols with a one-time join token, then keeps an
// outbound connection to the Server and runs the Server's calls on this machine's QEMU and network.
var server = new Option<string>("--server") { Description = "Server URL (http://host:8080) or unix:/run/skillvl/agent.sock", Required = true };
var joinToken = new Option<string?>("--join-token") { Description = "one-time join token (first start only; `skillvl node join-token`); visible in the process list: prefer --join-token-file" };
var joinTokenFile = new Option<string?>("--join-token-file") { Description = "file holding the one-time join token (mode 0600 or stricter; read at the first start only)" };
var name = new Option<string>("--name") { Description = "node name (DNS label)", Required = true };
var kind = new Option<string>("--kind") { Description = "server | edge | client", DefaultValueFactory = _ => "server" };
kind.AcceptOnlyFromAmong("server", "edge", "client");
var underlay = new Option<string?>("--underlay-address") { Description = "this node's IPv4 address for VXLAN tunnels" };
var relayPort = new Option<int>("--relay-port")
{
    Description = "TCP port on the underlay address where this node accepts client nodes' room-network relays when it is a hub (ADR 0019)",
    DefaultValueFactory = _ => AgentClientOptions.DefaultRelayPort,
};
var labels = new Option<string[]>("--label") { Description = "key=value label for placement (repeatable)", AllowMultipleArgumentsPerToken = false };
var data = new Option<string>("--data") { Description = "data directory (disks, templates, credential)", DefaultValueFactory = _ => "/var/lib/skillvl-agent" };
var runtime = new Option<string>("--runtime") { Description = "runtime directory (QEMU sockets, pidfiles)", DefaultValueFactory = _ => "/run/skillvl-agent" };
var accelerator = new Option<string>("--accelerator") { Description = "auto | kvm | tcg", DefaultValueFactory = _ => "auto" };
accelerator.AcceptOnlyFromAmong("auto", "kvm", "tcg");
var qemuUser = new Option<string>("--qemu-user")
{
    Description = "system user QEMU runs as, created when missing (ADR 0016); empty: root, unconfined (measurements only)",
    DefaultValueFactory = _ => "skillvl-qemu",
};

var cpuModel = new Option<string?>("--cpu-model")
{
    Description = "QEMU CPU model of the VMs (e.g. qemu64-v1); default: host under KVM, max under TCG. Guests move only between nodes with the same model",
};

var vmNetwork = new Option<string>("--vm-network")
{
    Description = "bridge | stream: how VMs reach room networks; stream (client nodes only, ADR 0052): QEMU -netdev stream into the agent's own switch, no bridge, no tap",
    DefaultValueFactory = _ => "bridge",
};
vmNetwork.AcceptOnlyFromAmong("bridge", "stream");

var localUser = new Option<string?>("--local-user")
{
    Description = "the node's owner (user name or uid): besides root, they may use the local commands (vms, console, stop, start, vnc)",
};

var diskStore = new Option<string>("--disk-store")
{
    Description = "file | rbd: where VM disks live; rbd (ADR 0055): clones in a Ceph RBD pool (--rbd-pool, --ceph-conf, --ceph-user, --ceph-keyring)",
    DefaultValueFactory = _ => "file",
};
diskStore.AcceptOnlyFromAmong("file", "rbd");
var rbdPool = new Option<string?>("--rbd-pool") { Description = "the Ceph pool of the VM disks (--disk-store rbd; made and rbd pool init'ed beforehand)" };
var cephConf = new Option<string>("--ceph-conf") { Description = "Ceph conf file naming the monitors (--disk-store rbd)", DefaultValueFactory = _ => "/etc/ceph/ceph.conf" };
var cephUser = new Option<string>("--ceph-user") { Description = "cephx user without client. (caps: profile rbd on the pool)", DefaultValueFactory = _ => "skillvl" };
var cephKeyring = new Option<string?>("--ceph-keyring") { Description = "keyring with the cephx user's key (root-only file; default /etc/ceph/ceph.client.<user>.keyring)" };

var root = new RootCommand("SkillVL node agent")
{
    server, joinToken, joinTokenFile, name, kind, underlay, relayPort, labels, data, runtime, accelerator, qemuUser, cpuModel, vmNetwork, localUser,
    diskStore, rbdPool, cephConf, cephUser, cephKeyring,
};
foreach (var local in SkillVL.Agent.Host.LocalCommands.Create())
{
    root.Subcommands.Add(local);
}

root.SetAction(async (parse, cancellationToken) =>
{
    var nodeName = parse.GetValue(name)!;
    if (!System.Text.RegularExpressions.Regex.IsMatch(nodeName, "^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$"))
    {
        await Console.Error.WriteLineAsync($"skillvl-agent: --name '{nodeName}' must be a DNS label (lowercase letters, digits, '-', at most 32).");
        return 2;
    }

    var labelMap = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var label in parse.GetValue(labels) ?? [])
    {
        var split = label.Split('=', 2);
        if (split.Length != 2 || split[0].Length == 0)
        {
            await Console.Error.WriteLineAsync($"skillvl-agent: --label '{label}' must look like key=value.");
            return 2;
        }

        labelMap[split[0]] = split[1];
    }

    if (parse.GetValue(underlay) is { } address && !System.Net.IPAddress.TryParse(address, out _))
    {
        await Console.Error.WriteLineAsync($"skillvl-agent: --underlay-address '{address}' is not an IPv4 address.");
        return 2;
    }

    if (parse.GetValue(relayPort) is < 1 or > 65535)
    {
        await Console.Error.WriteLineAsync($"skillvl-agent: --relay-port {parse.GetValue(relayPort)} is outside 1..65535.");
        return 2;
    }

    if (parse.GetValue(vmNetwork) == "stream" && parse.GetValue(kind) != "client")
    {
        // Stream mode reaches other nodes only through a relay to a hub (ADR 0052); a server or edge node must be a VXLAN
        // peer, a hub or a router's home, which all need the bridge.
        await Console.Error.WriteLineAsync($"skillvl-agent: --vm-network stream is for client nodes (--kind client), not {parse.GetValue(kind)}.");
        return 2;
    }

    var token = parse.GetValue(joinToken);
    if (parse.GetValue(joinTokenFile) is { Length: > 0 } tokenFile)
    {
        if (token is not null)
        {
            await Console.Error.WriteLineAsync("skillvl-agent: give the join token once: --join-token or --join-token-file, not both.");
            return 2;
        }

        if (await SkillVL.Agent.Host.JoinTokenFile.ReadAsync(tokenFile, cancellationToken) is not { } read)
        {
            return 2;
        }

        token = read;
    }

    var disks = new DiskStoreFlags(parse.GetValue(diskStore)!, parse.GetValue(rbdPool), parse.GetValue(cephConf)!, parse.GetValue(cephUser)!, parse.GetValue(cephKeyring));
    if (disks.Validate() is { Count: > 0 } diskFailures)
    {
        foreach (var failure in diskFailures)
        {
            await Console.Error.WriteLineAsync("skillvl-agent: " + failure);
        }

        return 2;
    }

    uint? localUid = null;
    if (parse.GetValue(localUser) is { Length: > 0 } user)
    {
        localUid = await SkillVL.Agent.Host.LocalUsers.UidOfAsync(user, cancellationToken);
        if (localUid is null)
        {
            await Console.Error.WriteLineAsync($"skillvl-agent: --local-user '{user}' is not a user on this machine.");
            return 2;
        }
    }

    using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
    if (Environment.GetEnvironmentVariable("SKILLVL_AGENT_PROC_ROOT") is { Length: > 0 } seam)
    {
        // Placement acts on this node's load: say loudly, in the agent's log, that it is not the host's (ADR 0035).
        await Console.Error.WriteLineAsync($"skillvl-agent: WARNING: node load is read from {seam}, not /proc (SKILLVL_AGENT_PROC_ROOT, a test seam)");
    }

    var client = new AgentClient(
        new AgentClientOptions
        {
            Server = parse.GetValue(server)!,
            JoinToken = token,
            Name = nodeName,
            Kind = parse.GetValue(kind)!,
            UnderlayAddress = parse.GetValue(underlay),
            RelayPort = parse.GetValue(relayPort),
            Labels = labelMap,
            DataDirectory = parse.GetValue(data)!,
            RuntimeDirectory = parse.GetValue(runtime)!,
            Accelerator = parse.GetValue(accelerator)!,
            QemuUser = parse.GetValue(qemuUser) ?? "",
            CpuModel = parse.GetValue(cpuModel),
            VmNetwork = parse.GetValue(vmNetwork)!,
            DiskStore = disks,
            LocalUserUid = localUid,
            // The load-injection test seam (ADR 0035): deliberately an environment variable, not an option in --help, so
            // that no deployment sets it by accident; "{node}" becomes this node's name, so one variable serves every
            // agent of a testbed.
            ProcRoot = Environment.GetEnvironmentVariable("SKILLVL_AGENT_PROC_ROOT") is { Length: > 0 } procRoot
                ? procRoot.Replace("{node}", nodeName, StringComparison.Ordinal)
                : "/proc",
        },
        loggerFactory,
        TimeProvider.System);
    try
    {
        await client.RunAsync(stop.Token);
        return 0;
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        return 0; // SIGTERM/SIGINT: the VMs keep running; the next start re-adopts them.
    }
    catch (InvalidOperationException e)
    {
        await Console.Error.WriteLineAsync("skillvl-agent: " + e.Message);
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();
