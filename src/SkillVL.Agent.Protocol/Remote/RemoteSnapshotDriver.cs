using System.Text.Json;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Core.Snapshots;

namespace SkillVL.Agent.Remote;

/// <summary><see cref="IVmSnapshotDriver"/> of a remote agent: each call goes over the agent's connection
/// (<see cref="SnapshotMethods"/>), bounded by the RPC timeout below and the caller's token.</summary>
/// <param name="call">The agent connection's call (method, parameters, timeout).</param>
public sealed class RemoteSnapshotDriver(
    Func<string, object?, TimeSpan, CancellationToken, Task<JsonElement?>> call, string nodeName) : IVmSnapshotDriver
{
    private static readonly TimeSpan ShortCall = TimeSpan.FromSeconds(30);

    /// <summary>Writing or loading a guest's memory (1 GiB takes seconds, more on a busy node) or booting it again.</summary>
    private static readonly TimeSpan SnapshotCall = TimeSpan.FromMinutes(5);

    public async Task<IReadOnlyList<VmSnapshot>> ListAsync(string vmId, CancellationToken cancellationToken) =>
        await CallAsync<List<VmSnapshot>>(SnapshotMethods.List, new AgentCalls.VmId(vmId), ShortCall, cancellationToken) ?? [];

    public async Task<VmSnapshot> CreateAsync(string vmId, string name, bool withRam, CancellationToken cancellationToken) =>
        await CallAsync<VmSnapshot>(SnapshotMethods.Create, new SnapshotCalls.Create(vmId, name, withRam), SnapshotCall, cancellationToken)
            ?? throw new DriverException($"Node {nodeName} returned no snapshot.", isTransient: true);

    public Task RevertAsync(string vmId, string name, CancellationToken cancellationToken) =>
        call(SnapshotMethods.Revert, new SnapshotCalls.Named(vmId, name), SnapshotCall, cancellationToken);

    public async Task<bool> DeleteAsync(string vmId, string name, CancellationToken cancellationToken) =>
        (await CallAsync<SnapshotCalls.Deleted>(SnapshotMethods.Delete, new SnapshotCalls.Named(vmId, name), SnapshotCall, cancellationToken))?.Existed
            ?? throw new DriverException($"Node {nodeName} did not say whether it deleted the snapshot.", isTransient: true);

    private async Task<T?> CallAsync<T>(string method, object parameters, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        var result = await call(method, parameters, timeout, cancellationToken);
        return result is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } value ? value.Deserialize<T>(AgentChannel.Json) : null;
    }
}
