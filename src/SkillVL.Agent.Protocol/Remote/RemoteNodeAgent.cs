using System.Text.Json;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Core.Templates;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The Server's handle on a node whose agent runs as its own process: every driver call goes over the agent's
/// connection. The reconciler uses it exactly like the in-process local node.
/// </summary>
public sealed class RemoteNodeAgent : INodeAgent, IVmDriver, INetworkDriver, INodeRouters, ITemplateStore, IVmMigrationDriver, INodeConnection
{
    private static readonly TimeSpan ShortCall = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Preparing a target may first fetch the template from the Server (like <see cref="EnsureDiskAsync"/>) and then
    /// creates a disk and starts a paused QEMU: minutes on a slow link, not seconds.
    /// </summary>
    private static readonly TimeSpan PrepareIncomingCall = TimeSpan.FromMinutes(30);

    /// <summary>Stopping a QEMU, detaching an NBD export, removing files: what <see cref="DeleteAsync"/> gets.</summary>
    private static readonly TimeSpan MigrationStepCall = TimeSpan.FromMinutes(2);

    /// <summary>One <c>query-migrate</c>/<c>query-block-jobs</c> pair; polled every ~200 ms, so a stuck answer must not
    /// hold the engine for long: it counts as a failed poll and the next one follows.</summary>
    private static readonly TimeSpan StatusCall = TimeSpan.FromSeconds(10);
    private volatile AgentChannel? _channel;
    private volatile NodeFacts _facts;
    private readonly RemoteConsoles _consoles;
    private readonly IConsoleRendezvous _rendezvous;

    /// <param name="facts">What is known of the node before its agent reports.</param>
    /// <param name="consoles">Where the agent's console connections are met (the Server's agent endpoint).</param>
    public RemoteNodeAgent(NodeFacts facts, IConsoleRendezvous consoles)
    {
        _facts = facts;
        _consoles = new RemoteConsoles(this, consoles);
        _rendezvous = consoles;
    }

    public NodeFacts Facts => _facts;

    public bool IsConnected => _channel is { IsOpen: true };

    public DateTimeOffset LastSeen { get; private set; }

    public IVmDriver Vms => this;

    public INetworkDriver Networks => this;

    public ITemplateStore Templates => this;

    /// <summary>Room routers built by the agent's node (ADR 0039).</summary>
    public INodeRouters? Routers => this;

    public IVmMigrationDriver Migrations => this;

    /// <summary>Consoles the agent connects back to the Server (ADR 0036).</summary>
    public INodeConsoles? Consoles => _consoles;

    /// <summary>The agent's connection: the Server decides reachability from it (ADR 0036).</summary>
    public INodeConnection? Connection => this;

    /// <summary>Check-out's node calls over the agent's connection (ADR 0021); a fenced disk comes back like a console
    /// (ADR 0044).</summary>
    public Core.Checkout.IVmCheckoutDriver? Checkouts => new RemoteCheckoutDriver(
        async (method, parameters, timeout, cancellationToken) => await CallAsync<JsonElement?>(method, parameters, timeout, cancellationToken), _facts.Name, _rendezvous);

    /// <summary>Snapshots of the agent's VMs over its connection (ADR 0051).</summary>
    public Core.Snapshots.IVmSnapshotDriver? Snapshots => new RemoteSnapshotDriver(
        async (method, parameters, timeout, cancellationToken) => await CallAsync<JsonElement?>(method, parameters, timeout, cancellationToken), _facts.Name);

    /// <summary>Live migration as the agent reported it in its facts (its driver's capability).</summary>
    public DriverCapabilities Capabilities => new(LinkedClones: true, GuestAgent: true, VncConsole: true, SerialConsole: true, LiveMigration: _facts.Migration is not null);

    /// <summary>What the agent reported; <see cref="MigrationFeatures.None"/> when it cannot migrate at all (see <see cref="Capabilities"/>).</summary>
    public MigrationFeatures Features => _facts.Migration ?? MigrationFeatures.None;

    /// <summary>A (new) connection of the agent; replaces the previous one.</summary>
    public void Attach(AgentChannel channel, NodeFacts facts, DateTimeOffset now)
    {
        _channel = channel;
        Seen(facts, now);
    }

    public void Detach(AgentChannel channel)
    {
        if (ReferenceEquals(_channel, channel))
        {
            _channel = null;
        }
    }

    /// <summary>Closes the agent's connection (its credential was revoked).</summary>
    public async Task DisconnectAsync()
    {
        if (_channel is { } channel)
        {
            _channel = null;
            await channel.DisposeAsync();
        }
    }

    public void Seen(NodeFacts facts, DateTimeOffset now)
    {
        _facts = facts with { Name = _facts.Name };
        LastSeen = now;
    }

    public async Task<IReadOnlyList<VmObservation>> ListAsync(CancellationToken cancellationToken) =>
        await CallAsync<List<VmObservation>>(AgentMethods.VmsList, null, ShortCall, cancellationToken) ?? [];

    public Task EnsureDiskAsync(VmSpec spec, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.VmsEnsureDisk, spec, TimeSpan.FromMinutes(30), cancellationToken); // may fetch the template first

    public Task StartAsync(VmSpec spec, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.VmsStart, spec, TimeSpan.FromMinutes(2), cancellationToken);

    public Task StopAsync(string vmId, StopMode mode, TimeSpan gracefulTimeout, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.VmsStop, new AgentCalls.Stop(vmId, mode, gracefulTimeout), gracefulTimeout + TimeSpan.FromMinutes(1), cancellationToken);

    public Task ResetAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.VmsReset, new AgentCalls.VmId(vmId), ShortCall, cancellationToken);

    public Task DeleteAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.VmsDelete, new AgentCalls.VmId(vmId), TimeSpan.FromMinutes(2), cancellationToken);

    public async Task<bool> GuestPingAsync(string vmId, TimeSpan timeout, CancellationToken cancellationToken) =>
        await CallAsync<bool>(AgentMethods.VmsGuestPing, new AgentCalls.GuestPing(vmId, timeout), timeout + ShortCall, cancellationToken);

    public async Task<GuestExecResult> GuestExecAsync(string vmId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        await CallAsync<GuestExecResult>(AgentMethods.VmsGuestExec, new AgentCalls.GuestExec(vmId, command, timeout), timeout + ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no exec result.", isTransient: true);

    async Task<IReadOnlyList<string>> INetworkDriver.ListAsync(CancellationToken cancellationToken) =>
        await CallAsync<List<string>>(AgentMethods.NetworksList, null, ShortCall, cancellationToken) ?? [];

    public Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.NetworksEnsure, network, ShortCall, cancellationToken);

    Task INetworkDriver.DeleteAsync(string networkId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.NetworksDelete, new AgentCalls.NetworkId(networkId), ShortCall, cancellationToken);

    async Task<IReadOnlyList<string>> INodeRouters.ListAsync(CancellationToken cancellationToken) =>
        await CallAsync<List<string>>(AgentMethods.RoutersList, null, ShortCall, cancellationToken) ?? [];

    /// <summary>A few <c>ip</c> calls and a dnsmasq start on the node: <see cref="ShortCall"/> bounds it.</summary>
    public Task EnsureAsync(RouterSpec router, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.RoutersEnsure, router, ShortCall, cancellationToken);

    Task INodeRouters.DeleteAsync(string routerId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.RoutersDelete, new AgentCalls.RouterId(routerId), ShortCall, cancellationToken);

    async Task<IReadOnlyList<TemplateImage>> ITemplateStore.ListAsync(CancellationToken cancellationToken) =>
        await CallAsync<List<TemplateImage>>(AgentMethods.TemplatesList, null, ShortCall, cancellationToken) ?? [];

    /// <summary>Asks the agent to connect the VM's console back to the Server's relay session.</summary>
    public Task OpenConsoleAsync(string vmId, string kind, string session, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.ConsoleOpen, new AgentCalls.ConsoleOpen(vmId, kind, session), ShortCall, cancellationToken);

    public Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken) =>
        throw new DriverException($"Node {_facts.Name} fetches templates from the Server itself when a disk needs one.");

    /// <summary>The agent's driver bounds the sample itself (at most a minute plus its settle time); this bounds the
    /// call: the sample plus <see cref="MigrationStepCall"/>.</summary>
    public async Task<VmMigrationMeasurement> MeasureAsync(string vmId, TimeSpan sample, CancellationToken cancellationToken) =>
        await CallAsync<VmMigrationMeasurement>(AgentMethods.MigrationsMeasure, new AgentCalls.Measure(vmId, sample), sample + MigrationStepCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no measurement.", isTransient: true);

    public async Task<LinkProbeEndpoint> OpenLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken) =>
        await CallAsync<LinkProbeEndpoint>(AgentMethods.MigrationsOpenLinkProbe, new AgentCalls.OpenLinkProbe(migrationId, listenAddress), ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no link probe endpoint.", isTransient: true);

    public Task CloseLinkProbeAsync(string migrationId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsCloseLinkProbe, new AgentCalls.MigrationId(migrationId), ShortCall, cancellationToken);

    /// <summary>The agent's probe bounds itself (20 s); <see cref="ShortCall"/> bounds the call.</summary>
    public async Task<LinkMeasurement> ProbeLinkAsync(LinkProbeEndpoint target, CancellationToken cancellationToken) =>
        await CallAsync<LinkMeasurement>(AgentMethods.MigrationsProbeLink, target, ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no link measurement.", isTransient: true);

    /// <summary>The agent provisions the template from the Server first where it lacks it; what it fetched is the
    /// migration's base bytes (<see cref="IncomingMigration.BaseBytesFetched"/>).</summary>
    public async Task<IncomingMigration> PrepareIncomingAsync(IncomingMigrationRequest request, CancellationToken cancellationToken)
    {
        var prepared = await CallAsync<AgentCalls.PreparedIncoming>(AgentMethods.MigrationsPrepareIncoming, request, PrepareIncomingCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no incoming migration.", isTransient: false);
        return prepared.Target with { BaseBytesFetched = prepared.BaseBytesFetched };
    }

    public Task CompleteIncomingAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsCompleteIncoming, new AgentCalls.VmId(vmId), MigrationStepCall, cancellationToken);

    public Task AbortIncomingAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsAbortIncoming, new AgentCalls.VmId(vmId), MigrationStepCall, cancellationToken);

    public Task StartDiskMirrorAsync(OutgoingMigrationRequest request, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsStartDiskMirror, request, ShortCall, cancellationToken);

    public Task StartRamMigrationAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsStartRam, new AgentCalls.VmId(vmId), ShortCall, cancellationToken);

    public async Task<OutgoingMigrationStatus> GetOutgoingStatusAsync(string vmId, CancellationToken cancellationToken) =>
        await CallAsync<OutgoingMigrationStatus>(AgentMethods.MigrationsStatus, new AgentCalls.VmId(vmId), StatusCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no migration status.", isTransient: true);

    public Task ApplyDecisionAsync(string vmId, MigrationDecision decision, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsApplyDecision, new AgentCalls.ApplyDecision(vmId, decision), ShortCall, cancellationToken);

    public Task CompleteOutgoingAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsCompleteOutgoing, new AgentCalls.VmId(vmId), MigrationStepCall, cancellationToken);

    public Task CancelOutgoingAsync(string vmId, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.MigrationsCancelOutgoing, new AgentCalls.VmId(vmId), MigrationStepCall, cancellationToken);

    public async Task<LinkProbeEndpoint> OpenReverseLinkProbeAsync(string migrationId, string listenAddress, CancellationToken cancellationToken) =>
        await CallAsync<LinkProbeEndpoint>(
            AgentMethods.MigrationsOpenReverseLinkProbe, new AgentCalls.OpenLinkProbe(migrationId, listenAddress), ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no link probe endpoint.", isTransient: true);

    public async Task<OutgoingRendezvous> OpenOutgoingRendezvousAsync(
        string migrationId, string vmId, string listenAddress, CancellationToken cancellationToken) =>
        await CallAsync<OutgoingRendezvous>(
            AgentMethods.MigrationsOpenOutgoingRendezvous, new AgentCalls.OpenOutgoingRendezvous(migrationId, vmId, listenAddress), ShortCall, cancellationToken)
            ?? throw new DriverException($"Node {_facts.Name} returned no migration rendezvous.", isTransient: true);

    private async Task<T?> CallAsync<T>(string method, object? parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var channel = _channel ?? throw new DriverException($"Node {_facts.Name} is unreachable (its agent is not connected).", isTransient: true);
        var result = await channel.CallAsync(method, parameters, timeout, cancellationToken);
        return result is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value
            ? value.Deserialize<T>(AgentChannel.Json)
            : default;
    }
}
