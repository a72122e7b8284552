using System.Globalization;
using Microsoft.Extensions.Logging;
using SkillVL.Core.Compute;
using SkillVL.Core.Identifiers;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.Hypervisor;

namespace SkillVL.Agent;

/// <summary>
/// The agent of the machine SkillVL runs on: the QEMU driver behind the <see cref="INodeAgent"/> contract.
/// In embedded mode the Server hosts it in-process; a standalone agent (multi-node) runs the same code.
/// Disposing it lets go of sockets only: VMs keep running and the next agent re-adopts them.
/// </summary>
public sealed class LocalNodeAgent : INodeAgent, IAsyncDisposable
{
    private readonly QemuNode _node;
    private readonly LocalNodeConsoles _consoles;
    private readonly string _name;
    private readonly int _cpus;
    private readonly long _memoryBytes;

    private LocalNodeAgent(string name, QemuNode node, int cpus, long memoryBytes)
    {
        _name = name;
        _node = node;
        _consoles = new LocalNodeConsoles(node);
        _cpus = cpus;
        _memoryBytes = memoryBytes;
    }

    /// <summary>The accelerator is decided at the first VM start ("auto" probes KVM with a real boot).</summary>
    public NodeFacts Facts => new(_name, _cpus, _memoryBytes, _node.Accelerators.Current?.ToQemuName() ?? _node.Options.Accelerator)
    {
        Hypervisor = HypervisorFacts(),
        Storage = _node.Storage,
    };

    public IVmDriver Vms => _node.Vms;

    /// <summary>The hypervisor facts a migration's target must match (issue 12, Deliver 6). The CPU model of a node that
    /// has not yet decided between KVM and TCG ("auto" before the first VM) is reported as <c>auto</c>.</summary>
    private HypervisorFacts? HypervisorFacts()
    {
        if (_node.Hypervisor is not { } info)
        {
            return null;
        }

        var accelerator = _node.Accelerators.Current ?? AcceleratorModes.Parse(_node.Options.Accelerator) switch
        {
            AcceleratorMode.Kvm => QemuAccelerator.Kvm,
            AcceleratorMode.Tcg => QemuAccelerator.Tcg,
            _ => (QemuAccelerator?)null,
        };
        return accelerator is { } known
            ? QemuHypervisorProbe.Facts(info, _node.Options, known)
            : new HypervisorFacts(info.Version, info.MachineType, _node.Options.CpuModel ?? "auto", info.MachineTypes);
    }

    public INetworkDriver Networks => _node.Networks;

    public ITemplateStore Templates => _node.Templates;

    /// <summary>Room routers as namespaces with dnsmasq (ADR 0039).</summary>
    public INodeRouters? Routers => _node.Routers;

    public IVmMigrationDriver Migrations => _node.Migrations;

    public Core.Checkout.IVmCheckoutDriver? Checkouts => _node.Checkouts;

    public Core.Snapshots.IVmSnapshotDriver? Snapshots => _node.Snapshots;

    /// <summary>Consoles as streams over the VMs' unix sockets (ADR 0036).</summary>
    public INodeConsoles? Consoles => _consoles;

    /// <summary>This node's template store as the content behind a Server's catalogue, for the host that embeds this node
    /// in a Server (ADR 0036).</summary>
    public ITemplateContentStore TemplateContent => new LocalTemplateContent(_node.Templates);

    /// <summary>The id that tags this installation's interfaces; made once and kept in the data directory.</summary>
    public string InstanceId => _node.Options.InstanceId;

    public static async Task<LocalNodeAgent> CreateAsync(
        LocalNodeOptions options,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var driverOptions = new QemuDriverOptions
            {
                DataDirectory = options.DataDirectory,
                RuntimeDirectory = options.RuntimeDirectory,
                InstanceId = options.InstanceId ?? LoadOrCreateInstanceId(options.DataDirectory),
                Accelerator = options.Accelerator,
                MaxTemplateVirtualSizeBytes = options.MaxTemplateVirtualSizeBytes,
                RunAsUser = options.QemuUser,
                Sandbox = options.QemuSandbox,
                CpuModel = options.CpuModel,
                VmNetwork = options.VmNetwork,
            };
        options.RbdDisks?.ApplyTo(driverOptions);
        var node = QemuNode.Create(driverOptions, loggerFactory, time);
        try
        {
            // The unprivileged QEMU user (ADR 0016), made or found now: a host that cannot have it says so at start.
            await node.PrepareAsync(cancellationToken);
        }
        catch (Core.Errors.DriverException e) when (options.RbdDisks is not null)
        {
            // A Ceph pool that cannot be reached (ADR 0055): the agent's host says so in one line and exits 1.
            await node.DisposeAsync();
            throw new InvalidOperationException(e.Message, e);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return new LocalNodeAgent(options.NodeName, node, Environment.ProcessorCount, HostMemoryBytes());
    }

    /// <summary>
    /// Decides the accelerator now (probing KVM with a real boot of <paramref name="templateSha256"/> when
    /// "auto"), so the first room does not wait for the probe.
    /// </summary>
    public async Task ResolveAcceleratorAsync(string templateSha256, CancellationToken cancellationToken)
    {
        var files = await _node.Templates.FindAsync(templateSha256, cancellationToken);
        if (files is not null)
        {
            await _node.Accelerators.ResolveAsync(files, cancellationToken);
        }
    }

    /// <summary>The unix socket of a VM's console on this node: "vnc" (RFB) or "serial" (the guest's ttyS0).</summary>
    public string ConsoleSocket(string vmId, string kind) => LocalNodeConsoles.ConsoleSocket(_node, vmId, kind);

    /// <summary>Whether the node's template store holds the template with this content address.</summary>
    public async Task<bool> HasTemplateAsync(string templateSha256, CancellationToken cancellationToken) =>
        await _node.Templates.FindAsync(templateSha256, cancellationToken) is not null;

    /// <summary>Facts with the node's place in a cluster (kind, underlay address, labels) added.</summary>
    public NodeFacts FactsAs(string kind, string? underlayAddress, IReadOnlyDictionary<string, string>? labels) =>
        Facts with { Kind = kind, UnderlayAddress = underlayAddress, Labels = labels };

    public ValueTask DisposeAsync()
    {
        _consoles.Dispose();
        return _node.DisposeAsync();
    }

    /// <summary>The installation's id from &lt;data&gt;/instance-id, made on first use (the platform CA is named after it).</summary>
    public static string LoadOrCreateInstanceId(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "instance-id");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var id = ShortId.New();
        File.WriteAllText(path, id + "\n");
        return id;
    }

    /// <summary>MemTotal from /proc/meminfo (the agent runs on Linux hosts only).</summary>
    private static long HostMemoryBytes()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kib * 1024;
    }
}
