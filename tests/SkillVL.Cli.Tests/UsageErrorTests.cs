namespace SkillVL.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("net-basics")]
    [InlineData("net-basics/")]
    [InlineData("/web")]
    [InlineData("a/b/c/d")]
    [InlineData("a//c")]
    public async Task Exec_TargetNotRoomSlashVm_ExitsUsageWithoutCallingServer(string target)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", "exec", target, "--", "true");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("is not ROOM/VM or OWNER/ROOM/VM", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(harness.Handler.Requests);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    [InlineData("restart")]
    public async Task PowerAction_TargetWithoutSlash_ExitsUsage(string action)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync("vm", action, "web");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(harness.Handler.Requests);
    }

    [Theory]
    [InlineData("room", "frobnicate")]
    [InlineData("room")]
    [InlineData("room", "get")]
    [InlineData("room", "apply")]
    [InlineData("room", "list", "-o", "xml")]
    [InlineData("room", "list", "-o", "yaml")]
    [InlineData("room", "apply", "-f", "x.yaml", "--timeout", "30")]
    [InlineData("room", "apply", "-f", "x.yaml", "--timeout", "soon")]
    [InlineData("vm", "exec", "r/v")]
    [InlineData("up")]
    [InlineData("user", "add", "bob")]
    [InlineData("user", "add", "bob", "--role", "wizard")]
    [InlineData("token", "create", "ci", "--scope", "admin")]
    [InlineData("token", "create", "ci", "--expires-in-days", "soon")]
    [InlineData("audit", "list", "--since", "yesterday")]
    [InlineData("audit", "list", "--since", "30")]
    [InlineData("audit", "list", "--limit", "0")]
    [InlineData("course", "enrol", "net101")]
    [InlineData("course", "publish", "net101")]
    [InlineData("course", "invite", "net101", "--max-uses", "many")]
    [InlineData("room", "reset")]
    [InlineData("room", "upgrade", "r", "--timeout", "soon")]
    public async Task BadCommandLine_ExitsUsage(params string[] args)
    {
        var harness = new CliHarness();

        var run = await harness.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(harness.Handler.Requests);
    }

    [Fact]
    public async Task Help_MentionsSkillvlUpAndExitCodes()
    {
        var run = await new CliHarness().RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("./skillvl up", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("6 task failed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecHelp_SaysGuestExitCodeIsPassedThrough()
    {
        var run = await new CliHarness().RunAsync("vm", "exec", "--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("guest program's own exit code", run.Stdout, StringComparison.Ordinal);
    }
}
