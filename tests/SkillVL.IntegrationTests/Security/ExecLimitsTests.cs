using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SkillVL.Core.Api;
using SkillVL.IntegrationTests.Auth;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.IntegrationTests.Security;

/// <summary>
/// Issue 11, finding 10, in a real tiny guest (busybox): an exec past its timeout is answered and its program is gone
/// from the guest (a busy loop kept a host CPU busy); an output larger than 1 MiB is cut with the flag.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class ExecLimitsTests(ITestOutputHelper output)
{
    private const string Room = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: execlim }
        machines:
          - { name: box, template: tiny }
        """;

    [Fact]
    public async Task Issue11_ExecTimeout_KillsTheProgramInTheGuest_LargeOutputIsCapped()
    {
        await using var server = await ServerHarness.StartAsync();
        await server.ApplyAsync(Room);
        await server.ExecAsync("execlim", "box", "true"); // the guest agent answers

        // A busy loop, and a shell waiting on a busy child: both answered at the timeout, both gone afterwards.
        foreach (var (marker, script) in new[] { ("spin-1", "while :; do :; done # spin-1"), ("spin-2", "yes spin-2 > /dev/null & wait") })
        {
            var clock = Stopwatch.StartNew();
            var answer = await ExecAsync(server, TimeSpan.FromSeconds(2), "/bin/sh", "-c", script);
            output.WriteLine($"{marker}: answered in {clock.Elapsed.TotalSeconds:0.0} s: {answer}");
            Assert.True(answer.TimedOut, answer.ToString());
            Assert.Equal(137, answer.ExitCode);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));

            var ps = await server.ExecAsync("execlim", "box", "ps");
            output.WriteLine(ps.Stdout);
            Assert.DoesNotContain(marker, ps.Stdout, StringComparison.Ordinal);
            Assert.Contains("ps", ps.Stdout, StringComparison.Ordinal); // ps lists processes at all (itself)
        }

        // 5 MiB on stdout: 1 MiB arrives, flagged.
        var big = await ExecAsync(server, TimeSpan.FromSeconds(60), "/bin/sh", "-c", "head -c 5242880 /dev/zero | tr '\\0' a");
        Assert.Equal((0, 1 << 20, true, false), (big.ExitCode, big.Stdout.Length, big.OutputTruncated, big.TimedOut));
        Assert.All(big.Stdout, c => Assert.Equal('a', c));
    }

    private static async Task<ExecResponse> ExecAsync(ServerHarness server, TimeSpan timeout, params string[] command) =>
        await Users.ReadAsync<ExecResponse>(
            await server.Client.PostAsJsonAsync(ApiPaths.Machine("execlim", "box") + "/exec", new ExecRequest(command, timeout), ServerHarness.Json), HttpStatusCode.OK);
}
