using System.Net;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;

namespace SkillVL.Cli.Tests;

/// <summary><c>skillvl vm revive</c>, the lease in <c>vm get</c> and <c>course update --checkout-lease</c> (ADR 0025)
/// against the fake HTTP handler.</summary>
public sealed class LeaseCommandTests
{
    private static readonly FencedCopyInfo Fenced = new("laptop1", 1, Answers.Now, "alice", Lost: true, null, null, null, null);

    [Fact]
    public async Task Revive_Lost_PostsLost_AndSaysTheCopyIsFenced()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/revive", Answers.Json(HttpStatusCode.OK, Machine(null, [Fenced])));

        var run = await harness.RunAsync("vm", "revive", "lab/web", "--lost");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"lost\":true", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains("revived on node1", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("laptop1 (epoch 1) is fenced", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revive_Refused_IsAClearError_NonZero()
    {
        var harness = new CliHarness();
        harness.Handler.On("POST", "/api/v1/rooms/lab/machines/web/revive", Answers.Problem(HttpStatusCode.Conflict, "Conflict", "the check-out lease of lab/web on laptop1 is valid until 2026-12-07 10:00:00Z"));

        var run = await harness.RunAsync("vm", "revive", "lab/web");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("valid until", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscardFenced_DeletesTheEpochsCopy_AndSaysSo()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/rooms/lab/machines/web/fenced/3", new HttpResponseMessage(HttpStatusCode.NoContent));

        var run = await harness.RunAsync("vm", "discard-fenced", "lab/web", "--epoch", "3");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Single(harness.Handler.Requests);
        Assert.Contains("fenced copy of lab/web from check-out epoch 3 is discarded", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1", "--epoch: a check-out epoch is a whole number")]
    [InlineData("x", "x")]
    public async Task DiscardFenced_ABadEpoch_IsAUsageErrorNamingIt_AndSendsNothing(string epoch, string expected)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", "discard-fenced", "lab/web", "--epoch", epoch);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task DiscardFenced_ClientOffline_IsAClearError_NonZero()
    {
        var harness = new CliHarness();
        harness.Handler.On("DELETE", "/api/v1/rooms/lab/machines/web/fenced/3",
            Answers.Problem(HttpStatusCode.ServiceUnavailable, "Discard not possible now", "lab/web: node laptop1, which holds the fenced copy of epoch 3, is not reachable; nothing was changed"));

        var run = await harness.RunAsync("vm", "discard-fenced", "lab/web", "--epoch", "3");

        Assert.NotEqual(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("laptop1, which holds the fenced copy", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ShowsTheLease_ExpiredSaysSo()
    {
        var harness = new CliHarness { TimeProvider = new InstantTimeProvider(Answers.Now) };
        var checkout = new CheckoutInfo("laptop1", "node1", Answers.Now.AddHours(-2), null, 0, 0, Answers.Now.AddMinutes(-1), 3);
        harness.Handler.On("GET", "/api/v1/rooms/lab/machines/web", Answers.Json(HttpStatusCode.OK, Machine(checkout, null)));

        var run = await harness.RunAsync("vm", "get", "lab/web");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Matches(@"Lease:\s+EXPIRED at .*epoch 3\): skillvl vm revive", run.Stdout);
    }

    [Fact]
    public async Task CourseUpdate_CheckoutLease_IsSent()
    {
        var harness = new CliHarness();
        harness.Handler.On("PATCH", "/api/v1/courses/net101", Answers.Json(HttpStatusCode.OK, Answers.Course() with { CheckoutLease = "2d" }));

        var run = await harness.RunAsync("course", "update", "net101", "--checkout-lease", "2d");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("\"checkoutLease\":\"2d\"", harness.Handler.Requests.Single().Body!, StringComparison.Ordinal);
        Assert.Contains("check-out lease 2d", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2w")]
    [InlineData("5s")]
    public async Task CourseUpdate_BadLease_IsAUsageError_NothingSent(string lease)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("course", "update", "net101", "--checkout-lease", lease);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--checkout-lease", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    private static MachineStatus Machine(CheckoutInfo? checkout, IReadOnlyList<FencedCopyInfo>? fenced) =>
        new("m1", "web", checkout?.Node ?? "node1", "running", "running", true, 1, 256L << 20, [], null, checkout, fenced);
}
