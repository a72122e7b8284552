using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Agent;
using SkillVL.Agent.Remote;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// The agent side of <c>migrations.prepareIncoming</c>: an overlay transfer needs the template in the node's store, so the
/// agent fetches it from the Server first, as for a new disk; a full transfer does not.
/// </summary>
public sealed class AgentDispatcherMigrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("svl-dispatch").FullName;

    // CreateTempSubdirectory makes it 0700; the node refuses a data directory its unprivileged QEMU user cannot reach
    // (ADR 0016), as /var/lib is reachable in a real installation.
    public AgentDispatcherMigrationTests() =>
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

    [Theory]
    [InlineData(DiskTransfer.Overlay)]
    [InlineData(DiskTransfer.Full)] // the full copy too: the VM boots the template's kernel (a fresh client failed without it)
    public async Task PrepareIncoming_FetchesTheMissingTemplateFirst(DiskTransfer disk)
    {
        await using var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions { NodeName = "n", DataDirectory = Path.Combine(_root, "data"), RuntimeDirectory = Path.Combine(_root, "run"), Accelerator = "tcg" },
            NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var fetched = new List<string>();
        var dispatcher = new AgentDispatcher(node, (sha, _) =>
        {
            fetched.Add(sha);
            return Task.FromResult(4096L);
        });
        var spec = new VmSpec("m1", "web", new string('a', 64), 1, 128L << 20, [], "h");
        var parameters = MigrationPolicy.Plan(new LinkMeasurement(DataRate.FromGigabitsPerSecond(1), TimeSpan.FromMilliseconds(1)),
            new VmMigrationProfile { MemoryBytes = 128L << 20 }, new MigrationLimits(), MigrationFeatures.Qemu72);
        var request = new IncomingMigrationRequest("mig1", spec, "127.0.0.1", disk, 0, parameters, Tls: false);

        var answer = await dispatcher.HandleAsync(
            new AgentMessage { Type = AgentMessage.Request, Id = 7, Method = AgentMethods.MigrationsPrepareIncoming, Params = JsonSerializer.SerializeToElement(request, AgentChannel.Json) },
            CancellationToken.None);

        Assert.Equal(7, answer.Id);
        Assert.Single(fetched);
        Assert.All(fetched, sha => Assert.Equal(spec.TemplateSha256, sha));
        // Whatever the node's migration driver then answers (the template here is a fake), it comes back as a result or a typed error.
        Assert.True(answer.Result is not null || answer.Error is not null);
    }

    // xUnit 2 disposes test classes through IDisposable (IAsyncDisposable only from v3): the directory went unremoved.
    public void Dispose() => Directory.Delete(_root, recursive: true);
}
