using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Remote;
using SkillVL.Core.Errors;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>
/// The snapshot calls over the agent protocol (ADR 0051): the Server's <see cref="RemoteSnapshotDriver"/> serializes each
/// call, the agent's dispatcher runs it on a real local node's QEMU driver, on a real qcow2 disk of a VM that is not
/// running (so through <c>qemu-img</c>), and answers and driver errors come back typed.
/// </summary>
public sealed class AgentDispatcherSnapshotTests : IDisposable
{
    private const string VmId = "0123456789ab";
    private readonly string _root = Directory.CreateTempSubdirectory("svl-snapshot").FullName;

    // The node refuses a data directory its unprivileged QEMU user cannot reach (ADR 0016).
    public AgentDispatcherSnapshotTests() =>
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    [Fact]
    public async Task SnapshotCalls_RoundTripThroughTheAgentProtocol_ToTheNodesDriver()
    {
        var data = Path.Combine(_root, "data");
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "n", DataDirectory = data, RuntimeDirectory = Path.Combine(_root, "run"), Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var dispatcher = new AgentDispatcher(node, (_, _) => Task.FromResult(0L));
        var methods = new List<string>();
        var remote = new RemoteSnapshotDriver(async (method, parameters, _, cancellationToken) =>
        {
            methods.Add(method);
            var answer = await dispatcher.HandleAsync(
                new AgentMessage { Type = AgentMessage.Request, Id = methods.Count, Method = method, Params = JsonSerializer.SerializeToElement(parameters, AgentChannel.Json) },
                cancellationToken);
            return answer.Error is { } error ? throw AgentChannel.ToException(error) : answer.Result;
        }, "n");

        // No disk: nothing listed, nothing to take.
        Assert.Empty(await remote.ListAsync(VmId, CancellationToken.None));
        var none = await Assert.ThrowsAsync<DriverException>(() => remote.CreateAsync(VmId, "a", withRam: false, CancellationToken.None));
        Assert.Contains("no disk", none.Message, StringComparison.Ordinal);

        // A stopped VM's disk: disk-only snapshots through qemu-img; with RAM refused.
        var disk = Path.Combine(data, "vms", VmId, "disk.qcow2");
        Directory.CreateDirectory(Path.GetDirectoryName(disk)!);
        using (var create = Process.Start("qemu-img", ["create", "-q", "-f", "qcow2", disk, "16M"]))
        {
            await create.WaitForExitAsync();
            Assert.Equal(0, create.ExitCode);
        }

        var taken = await remote.CreateAsync(VmId, "first", withRam: false, CancellationToken.None);
        Assert.True(taken is { Name: "first", WithRam: false, VmStateBytes: 0, DiskBytes: >= 0 });
        await Assert.ThrowsAnyAsync<SkillVlException>(() => remote.CreateAsync(VmId, "ram", withRam: true, CancellationToken.None));
        Assert.Equal(["first"], (await remote.ListAsync(VmId, CancellationToken.None)).Select(s => s.Name));
        await remote.RevertAsync(VmId, "first", CancellationToken.None);
        Assert.True(await remote.DeleteAsync(VmId, "first", CancellationToken.None));
        Assert.False(await remote.DeleteAsync(VmId, "first", CancellationToken.None));
        Assert.Empty(await remote.ListAsync(VmId, CancellationToken.None));
        Assert.Equal(4, methods.Distinct().Count());
        Assert.All(methods, m => Assert.StartsWith(SnapshotMethods.Prefix, m, StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
