using System.Text.Json;
using SkillVL.Core.Compute;
using SkillVL.Core.Errors;
using SkillVL.Core.Networking;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Core.Templates;

namespace SkillVL.Agent.Remote;

/// <summary>
/// The Server's handle on a node whose agent runs as its own process: every driver call goes over the agent's
/// connection. The reconciler uses it exactly like the in-process local node.
/// </summary>
public sealed class RemoteNodeAgent : INodeAgent, IVmDriver, INetworkDriver, ITemplateStore
{
    private static readonly TimeSpan ShortCall = TimeSpan.FromSeconds(30);
    private volatile AgentChannel? _channel;
    private volatile NodeFacts _facts;

    public RemoteNodeAgent(NodeFacts facts)
    {
        _facts = facts;
    }

    public NodeFacts Facts => _facts;

    public bool IsConnected => _channel is { IsOpen: true };

    public DateTimeOffset LastSeen { get; private set; }

    public IVmDriver Vms => this;

    public INetworkDriver Networks => this;

    public ITemplateStore Templates => this;

    public IVmMigrationDriver Migrations => throw new NotSupportedException("Remote migration calls: in progress (session 3).");

    public DriverCapabilities Capabilities => new(LinkedClones: true, GuestAgent: true, VncConsole: true, SerialConsole: true, LiveMigration: false);

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

    async Task<IReadOnlyList<TemplateImage>> ITemplateStore.ListAsync(CancellationToken cancellationToken) =>
        await CallAsync<List<TemplateImage>>(AgentMethods.TemplatesList, null, ShortCall, cancellationToken) ?? [];

    /// <summary>Asks the agent to connect the VM's console back to the Server's relay session.</summary>
    public Task OpenConsoleAsync(string vmId, string kind, string session, CancellationToken cancellationToken) =>
        CallAsync<JsonElement?>(AgentMethods.ConsoleOpen, new AgentCalls.ConsoleOpen(vmId, kind, session), ShortCall, cancellationToken);

    public Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken) =>
        throw new DriverException($"Node {_facts.Name} fetches templates from the Server itself when a disk needs one.");

    private async Task<T?> CallAsync<T>(string method, object? parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var channel = _channel ?? throw new DriverException($"Node {_facts.Name} is unreachable (its agent is not connected).", isTransient: true);
        var result = await channel.CallAsync(method, parameters, timeout, cancellationToken);
        return result is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value
            ? value.Deserialize<T>(AgentChannel.Json)
            : default;
    }
}
