using SkillVL.Testbed.Commands;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>Bad input to <c>up</c>: exit 2, a message that names the option, and nothing on the host.</summary>
public sealed class TestbedInputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--nodes", "--nodes", "0")]
    [InlineData("--nodes", "--nodes", "90")]
    [InlineData("--nodes", "--nodes", "many")]
    [InlineData("--bandwidth", "--client", "laptop1", "--bandwidth", "fast")]
    [InlineData("--bandwidth", "--bandwidth", "50mbps")]
    [InlineData("--rtt", "--rtt", "40")]
    [InlineData("--loss", "--loss", "150%")]
    [InlineData("--client", "--client", "Laptop_1")]
    [InlineData("--client", "--client", "-laptop")]
    [InlineData("--client", "--client", "node1")]
    [InlineData("--client", "--client", "laptop1", "--client", "laptop1")]
    [InlineData("--prefix", "--prefix", "x")]
    [InlineData("--prefix", "--prefix", "much-too-long")]
    [InlineData("--subnet", "--subnet", "10.0.0.0/24")]
    [InlineData("--subnet", "--subnet", "198.18.0.0/16")]
    [InlineData("--agent-command", "--agent-command", "/nonexistent/skillvl-agent", "--admin-token", "x")]
    [InlineData("--server", "--server", "ftp://example", "--admin-token", "x")]
    [InlineData("--output", "--no-agents", "-o", "yaml")]
    public async Task Up_WithBadInput_ExitsTwoNamingTheOptionAndCreatesNothing(string option, params string[] arguments)
    {
        await using var bed = new TestbedUnderTest(output.WriteLine);
        var stdout = new SynchronizedWriter();
        var stderr = new SynchronizedWriter();
        string[] noAgents = arguments.Contains("--agent-command") || arguments.Contains("--server") || arguments.Contains("--no-agents") ? [] : ["--no-agents"];

        var exitCode = await Bounded.WithinAsync(
            TestbedApplication.RunAsync(
                ["up", .. noAgents, .. Own(arguments, "--prefix", bed.Names.Prefix), .. Own(arguments, "--subnet", bed.Names.Subnet), "--state", bed.Names.StateDirectory, .. arguments],
                new TestbedContext(stdout, stderr, TimeProvider.System),
                CancellationToken.None),
            TimeSpan.FromSeconds(30),
            "skillvl-testbed up");

        output.WriteLine($"exit {exitCode}: {stderr}");
        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(option, stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    /// <summary>The test's own value of <paramref name="option"/>, unless the case gives a (bad) one itself.</summary>
    private static string[] Own(string[] arguments, string option, string value) =>
        arguments.Contains(option) ? [] : [option, value];
}
