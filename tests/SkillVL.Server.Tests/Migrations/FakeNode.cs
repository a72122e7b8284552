using SkillVL.Core.Compute;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Core.Templates;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>A node with fake drivers: VMs it is told it has, networks it records, one template, a fake migration end.</summary>
internal sealed class FakeNode : INodeAgent, IVmDriver, INetworkDriver, ITemplateStore
{
    private readonly CallLog _log;

    public FakeNode(string name, string? underlay, CallLog log, string templateSha)
    {
        _log = log;
        Facts = new NodeFacts(name, 4, 8L << 30, "tcg", UnderlayAddress: underlay, Migration: Core.Migration.MigrationFeatures.Qemu72,
            Hypervisor: new HypervisorFacts("7.2.22", "pc-i440fx-7.2", "max", ["pc-i440fx-7.2", "pc-i440fx-7.1"]));
        Driver = new FakeMigrationDriver(name, log);
        TemplateSha = templateSha;
    }

    /// <summary>Settable: a test makes the target a client (ADR 0020's reverse mode).</summary>
    public NodeFacts Facts { get; set; }

    public FakeMigrationDriver Driver { get; }

    public string TemplateSha { get; }

    public List<VmObservation> Observed { get; } = [];

    public List<NetworkSpec> Ensured { get; } = [];

    public IVmDriver Vms => this;

    public INetworkDriver Networks => this;

    public ITemplateStore Templates => this;

    public IVmMigrationDriver Migrations => Driver;

    /// <summary>Settable: check-out tests give the node a fake check-out end (null: an agent without one).</summary>
    public Core.Checkout.IVmCheckoutDriver? Checkouts { get; set; }

    /// <summary>Settable: router tests give the node routers (null: a node that hosts none).</summary>
    public INodeRouters? Routers { get; set; }

    /// <summary>Settable: null is a node in the Server's process; reachability tests give it a connection.</summary>
    public INodeConnection? Connection { get; set; }

    public DriverCapabilities Capabilities => new(true, true, true, true, LiveMigration: true);

    /// <summary>Settable: runs each time the node's VMs are listed, before the answer (what happens meanwhile elsewhere).</summary>
    public Func<Task>? OnList { get; set; }

    public async Task<IReadOnlyList<VmObservation>> ListAsync(CancellationToken cancellationToken)
    {
        if (OnList is { } onList)
        {
            await onList();
        }

        lock (Observed)
        {
            return [.. Observed];
        }
    }

    public Task EnsureDiskAsync(VmSpec spec, CancellationToken cancellationToken) => Record("EnsureDisk");

    public Task StartAsync(VmSpec spec, CancellationToken cancellationToken) => Record("Start");

    public Task StopAsync(string vmId, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken) => Record("Stop");

    public Task ResetAsync(string vmId, CancellationToken cancellationToken) => Record("Reset");

    public Task DeleteAsync(string vmId, CancellationToken cancellationToken)
    {
        lock (Observed)
        {
            Observed.RemoveAll(o => o.Id == vmId);
        }

        return Record("Delete");
    }

    /// <summary>Whether the guest's agent answers a ping (a guest that crashed after a move does not).</summary>
    public bool GuestAnswers { get; set; } = true;

    public Task<bool> GuestPingAsync(string vmId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _log.Add($"{Facts.Name}:vm.GuestPing");
        return Task.FromResult(GuestAnswers);
    }

    /// <summary>Settable: what the guest answers to an exec (the call is then logged as <c>vm.GuestExec</c>); null answers
    /// exit 0 with no output, unlogged.</summary>
    public Func<IReadOnlyList<string>, GuestExecResult>? GuestExec { get; set; }

    public Task<GuestExecResult> GuestExecAsync(string vmId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (GuestExec is null)
        {
            return Task.FromResult(new GuestExecResult(0, "", "", false));
        }

        _log.Add($"{Facts.Name}:vm.GuestExec");
        return Task.FromResult(GuestExec(command));
    }

    Task<IReadOnlyList<string>> INetworkDriver.ListAsync(CancellationToken cancellationToken)
    {
        lock (Ensured)
        {
            return Task.FromResult<IReadOnlyList<string>>(Ensured.Select(n => n.Id).Distinct().ToList());
        }
    }

    public Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken)
    {
        lock (Ensured)
        {
            Ensured.Add(network);
        }

        return Task.CompletedTask;
    }

    Task INetworkDriver.DeleteAsync(string networkId, CancellationToken cancellationToken) => Record("DeleteNetwork");

    Task<IReadOnlyList<TemplateImage>> ITemplateStore.ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TemplateImage>>([new TemplateImage("tiny", TemplateSha, BootMethod.Disk, 1, 128L << 20, 50L << 20)]);

    public Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken) => throw new NotSupportedException();

    private Task Record(string call)
    {
        _log.Add($"{Facts.Name}:vm.{call}");
        return Task.CompletedTask;
    }
}
