using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Drivers.Qemu.GuestAgent;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.GuestAgent;

/// <summary>Issue 11, finding 10: qemu-ga's 16 MiB-per-stream capture must not be held whole by the node.</summary>
public sealed class GuestAgentLargeOutputTests : IDisposable
{
    private const int AgentCap = 16 << 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _directory = new("svl-qga-big");

    private string SocketPath => _directory.Sub("qga.sock");

    private static JsonObject HugeStatus()
    {
        var out16 = new byte[AgentCap];
        Array.Fill(out16, (byte)'o');
        var err16 = new byte[AgentCap];
        Array.Fill(err16, (byte)'e');
        return new JsonObject
        {
            ["exited"] = true,
            ["exitcode"] = 0,
            ["out-data"] = Convert.ToBase64String(out16),
            ["err-data"] = Convert.ToBase64String(err16),
        };
    }

    [Fact]
    public async Task Issue11_Exec_16MiBPerStream_KeepsExactlyTheCapAndFlagsIt()
    {
        await using var agent = new FakeGuestAgent(SocketPath);
        agent.ExecStatuses.Add(HugeStatus());
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        var result = await client.ExecAsync(["yes"], Timeout, CancellationToken.None);

        Assert.Equal((GuestAgentClient.MaxStreamBytes, GuestAgentClient.MaxStreamBytes, true), (result.Stdout.Length, result.Stderr.Length, result.OutputTruncated));
        Assert.All(result.Stdout, c => Assert.Equal('o', c));
        Assert.All(result.Stderr, c => Assert.Equal('e', c));
    }

    [Fact]
    public async Task Issue11_ExecStatus_16MiBPerStream_IsConsumedWithBoundedRetention_AndTheSessionStaysInSync()
    {
        await using var agent = new FakeGuestAgent(SocketPath);
        agent.ExecStatuses.Add(HugeStatus());
        await using var session = await GuestAgentSession.OpenAsync(SocketPath, CancellationToken.None);

        var status = (JsonObject)(await session.ExecuteAsync(
            "guest-exec-status", new JsonObject { ["pid"] = 4242 }, CancellationToken.None, GuestAgentClient.StatusStringBytes))!;

        // Each stream's base64 kept to the cap plus one group; the line held in memory is the two of them and a few keys,
        // not the 2 x 22 MB the agent sent.
        Assert.Equal(GuestAgentClient.StatusStringBytes, status["out-data"]!.GetValue<string>().Length);
        Assert.Equal(GuestAgentClient.StatusStringBytes, status["err-data"]!.GetValue<string>().Length);
        Assert.InRange(session.LargestRetainedLine, 2 * GuestAgentClient.StatusStringBytes, (2 * GuestAgentClient.StatusStringBytes) + 256);
        // The rest of the huge line was read: the next reply is the ping's, not a tail of the status.
        Assert.Equal(new JsonObject().ToJsonString(), (await session.ExecuteAsync("guest-ping", null, CancellationToken.None))!.ToJsonString());
    }

    [Fact]
    public async Task Issue11_LongStringWithEscapes_IsCutAtAWholeEscape_AndStaysValidJson()
    {
        // Escapes straddling the cap: the cut string must still parse, and the next message must still be found.
        await using var agent = new FakeGuestAgent(SocketPath);
        agent.ExecStatuses.Add(new JsonObject { ["exited"] = true, ["err-data"] = string.Concat(Enumerable.Repeat("a\"\\\u0001", 50)) });
        await using var session = await GuestAgentSession.OpenAsync(SocketPath, CancellationToken.None);

        for (var cap = GuestAgentSession.MinStringBytes; cap < GuestAgentSession.MinStringBytes + 24; cap++)
        {
            var status = (JsonObject)(await session.ExecuteAsync("guest-exec-status", new JsonObject { ["pid"] = 1 }, CancellationToken.None, cap))!;
            var text = status["err-data"]!.GetValue<string>();
            Assert.StartsWith(text, string.Concat(Enumerable.Repeat("a\"\\\u0001", 50)), StringComparison.Ordinal);
            // The fake writes each repeat in at most 15 bytes (System.Text.Json escapes the quote as \u0022).
            Assert.InRange(text.Length, cap / 15 * 4, cap);
        }
    }

    public void Dispose() => _directory.Dispose();
}
