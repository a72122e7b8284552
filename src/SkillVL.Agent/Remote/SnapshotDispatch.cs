using System.Text.Json;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;
using SkillVL.Core.Snapshots;
using static SkillVL.Agent.Remote.CallJson;

namespace SkillVL.Agent.Remote;

/// <summary>The agent side of the snapshot calls (<see cref="SnapshotMethods"/>): runs them on the node's
/// <see cref="IVmSnapshotDriver"/>. Its own block, beside <see cref="AgentDispatcher"/>'s.</summary>
internal static class SnapshotDispatch
{
    public static bool Handles(string method) => method.StartsWith(SnapshotMethods.Prefix, StringComparison.Ordinal);

    public static async Task<JsonElement?> DispatchAsync(IVmSnapshotDriver? snapshots, string method, JsonElement? parameters, CancellationToken ct)
    {
        var driver = snapshots ?? throw new DriverException("This node does not offer snapshots.", isTransient: false);
        switch (method)
        {
            case SnapshotMethods.List:
                return Result(await driver.ListAsync(Param<AgentCalls.VmId>(parameters).Id, ct));
            case SnapshotMethods.Create:
                var create = Param<SnapshotCalls.Create>(parameters);
                return Result(await driver.CreateAsync(create.Id, create.Name, create.WithRam, ct));
            case SnapshotMethods.Revert:
                var revert = Param<SnapshotCalls.Named>(parameters);
                await driver.RevertAsync(revert.Id, revert.Name, ct);
                return null;
            case SnapshotMethods.Delete:
                var delete = Param<SnapshotCalls.Named>(parameters);
                return Result(new SnapshotCalls.Deleted(await driver.DeleteAsync(delete.Id, delete.Name, ct)));
            default:
                throw new DriverException($"This agent does not know the call '{method}' (a newer Server?).");
        }
    }
}
