using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Remote;
using SkillVL.Core.Checkout;
using SkillVL.Core.Errors;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>
/// The check-out calls over the agent protocol (ADR 0021): the Server's <see cref="RemoteCheckoutDriver"/> serializes
/// each call, the agent's dispatcher runs it on a real local node's driver, and answers and driver errors come back
/// typed. The node here has no VM and no retained copy, so each call's answer is the driver's "nothing here".
/// </summary>
public sealed class AgentDispatcherCheckoutTests : IDisposable
{
    private const string VmId = "0123456789ab";
    private readonly string _root = Directory.CreateTempSubdirectory("svl-checkout").FullName;

    // The node refuses a data directory its unprivileged QEMU user cannot reach (ADR 0016).
    public AgentDispatcherCheckoutTests() =>
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    [Fact]
    public async Task CheckoutCalls_RoundTripThroughTheAgentProtocol_ToTheNodesDriver()
    {
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "n", DataDirectory = Path.Combine(_root, "data"), RuntimeDirectory = Path.Combine(_root, "run"), Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var dispatcher = new AgentDispatcher(node, (_, _) => Task.FromResult(0L));
        var methods = new List<string>();
        var remote = new RemoteCheckoutDriver(async (method, parameters, _, cancellationToken) =>
        {
            methods.Add(method);
            var answer = await dispatcher.HandleAsync(
                new AgentMessage { Type = AgentMessage.Request, Id = methods.Count, Method = method, Params = JsonSerializer.SerializeToElement(parameters, AgentChannel.Json) },
                cancellationToken);
            return answer.Error is { } error ? throw AgentChannel.ToException(error) : answer.Result;
        }, "n");

        Assert.Null(await remote.GetRetainedAsync(VmId, CancellationToken.None));
        var tracking = await Assert.ThrowsAsync<DriverException>(() => remote.GetTrackingAsync(VmId, CancellationToken.None));
        Assert.Contains("no disk", tracking.Message, StringComparison.Ordinal);
        var export = await Assert.ThrowsAsync<DriverException>(() => remote.ExportRetainedAsync(VmId, "127.0.0.1", CancellationToken.None));
        Assert.Contains("no retained copy", export.Message, StringComparison.Ordinal);
        var retain = await Assert.ThrowsAsync<DriverException>(() => remote.RetainAsync(VmId, CancellationToken.None));
        Assert.Contains("nothing to retain", retain.Message, StringComparison.Ordinal);
        var sync = await Assert.ThrowsAsync<DriverException>(() => remote.SyncAsync(
            VmId, new RetainedExport("127.0.0.1", 4242, "token", "127.0.0.1"), DataRate.FromMebibytesPerSecond(4), CancellationToken.None));
        Assert.Contains("not running", sync.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DriverException>(() => remote.StartTrackingAsync(VmId, CancellationToken.None));
        await remote.CloseRetainedExportAsync(VmId, CancellationToken.None);
        await remote.ReleaseRetainedAsync(VmId, CancellationToken.None);
        Assert.Equal(8, methods.Distinct().Count());
        Assert.All(methods, m => Assert.StartsWith(CheckoutMethods.Prefix, m, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
