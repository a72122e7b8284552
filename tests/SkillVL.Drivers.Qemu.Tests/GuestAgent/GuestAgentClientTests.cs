using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.GuestAgent;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.GuestAgent;

public sealed class GuestAgentClientTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _directory = new("svl-qga");

    private string SocketPath => _directory.Sub("qga.sock");

    [Fact]
    public async Task Ping_StaleReplyOnChannel_SyncsPastItAndAnswers()
    {
        await using var agent = new FakeGuestAgent(SocketPath)
        {
            // What an earlier, abandoned session left in the channel: must not be taken for our replies.
            StaleOnConnect = "{\"return\": {\"pid\": 1}}\n\xFF{\"return\": 12345}\n",
        };
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        await client.PingAsync(Timeout, CancellationToken.None);

        Assert.Equal(["guest-sync-delimited", "guest-ping"], agent.Commands);
    }

    [Fact]
    public async Task Exec_PollsUntilExitedAndDecodesOutput()
    {
        await using var agent = new FakeGuestAgent(SocketPath);
        agent.ExecStatuses.Add(new JsonObject { ["exited"] = false });
        agent.ExecStatuses.Add(new JsonObject
        {
            ["exited"] = true,
            ["exitcode"] = 3,
            ["out-data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("6.1.0-56-cloud-amd64\n")),
            ["err-data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("warn\n")),
        });
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        var result = await client.ExecAsync(["uname", "-r"], Timeout, CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("6.1.0-56-cloud-amd64\n", result.Stdout);
        Assert.Equal("warn\n", result.Stderr);
        Assert.False(result.OutputTruncated);
        Assert.Equal(["guest-sync-delimited", "guest-exec", "guest-exec-status", "guest-exec-status"], agent.Commands);
        var exec = agent.Requests[1]["arguments"]!;
        Assert.Equal("uname", exec["path"]!.GetValue<string>());
        Assert.Equal("-r", exec["arg"]![0]!.GetValue<string>());
        Assert.True(exec["capture-output"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Exec_ProgramMissing_ReturnsExitCode127WithAgentMessage()
    {
        await using var agent = new FakeGuestAgent(SocketPath) { ExecError = "Failed to execute child process \"nope\" (No such file or directory)" };
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        var result = await client.ExecAsync(["nope"], Timeout, CancellationToken.None);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains("No such file", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ToResult_SignalAndTruncation_AreReported()
    {
        var result = GuestAgentClient.ToResult(new JsonObject
        {
            ["exited"] = true,
            ["signal"] = 9,
            ["out-data"] = Convert.ToBase64String("x"u8.ToArray()),
            ["out-truncated"] = true,
        });

        Assert.Equal(137, result.ExitCode);
        Assert.Equal("x", result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.True(result.OutputTruncated);
    }

    [Fact]
    public async Task Issue11_Exec_NeverExits_IsKilledInTheGuestAtTheTimeout_AndSaysSo()
    {
        await using var agent = new FakeGuestAgent(SocketPath)
        {
            StatusAfterKill = new JsonObject { ["exited"] = true, ["signal"] = 9, ["out-data"] = Convert.ToBase64String("so far"u8.ToArray()) },
        };
        agent.ExecStatuses.Add(new JsonObject { ["exited"] = false });
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        var result = await client.ExecAsync(["sleep", "1000"], TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal((137, "so far", true), (result.ExitCode, result.Stdout, result.TimedOut));
        var kill = agent.Requests.Last(r => r["execute"]!.GetValue<string>() == "guest-exec")["arguments"]!;
        Assert.Equal("/bin/sh", kill["path"]!.GetValue<string>());
        Assert.Equal("4242", kill["arg"]![2]!.GetValue<string>());
    }

    [Fact]
    public void ToResult_StreamLongerThanTheCap_IsCutAndFlagged()
    {
        var big = new byte[(5 << 20) + 1];
        Array.Fill(big, (byte)'a');

        var result = GuestAgentClient.ToResult(new JsonObject
        {
            ["exited"] = true,
            ["exitcode"] = 0,
            ["out-data"] = Convert.ToBase64String(big),
            ["err-data"] = Convert.ToBase64String(big.AsSpan(0, GuestAgentClient.MaxStreamBytes).ToArray()),
        });

        Assert.Equal((GuestAgentClient.MaxStreamBytes, GuestAgentClient.MaxStreamBytes, true), (result.Stdout.Length, result.Stderr.Length, result.OutputTruncated));
    }

    [Fact]
    public async Task Ping_AgentSilent_ThrowsGuestAgentUnavailable()
    {
        await using var agent = new FakeGuestAgent(SocketPath) { Silent = true };
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<GuestAgentUnavailableException>(
            () => client.PingAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Ping_NoSocket_ThrowsGuestAgentUnavailable()
    {
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        await Assert.ThrowsAsync<GuestAgentUnavailableException>(() => client.PingAsync(Timeout, CancellationToken.None));
    }

    [Fact]
    public async Task Shutdown_AgentHangsUpWithoutReply_CountsAsSent()
    {
        await using var agent = new FakeGuestAgent(SocketPath);
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        await client.ShutdownAsync(Timeout, CancellationToken.None);

        Assert.Equal("powerdown", agent.Requests[^1]["arguments"]!["mode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Operations_RunOneAtATime_EachWithItsOwnSync()
    {
        await using var agent = new FakeGuestAgent(SocketPath);
        using var client = new GuestAgentClient(SocketPath, TimeProvider.System, NullLogger.Instance);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PingAsync(Timeout, CancellationToken.None)));

        Assert.Equal(10, agent.Commands.Count);
        for (var i = 0; i < 10; i += 2)
        {
            Assert.Equal("guest-sync-delimited", agent.Commands[i]);
            Assert.Equal("guest-ping", agent.Commands[i + 1]);
        }
    }

    public void Dispose() => _directory.Dispose();
}
