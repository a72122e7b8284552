using SkillVL.Testbed.Commands;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>Bad input to <c>up --behind-nat</c> and to <c>link</c>: exit 2 naming what is wrong (1 when nothing is up), and nothing on the host.</summary>
public sealed class TestbedNatInputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("--behind-nat", "--behind-nat")]
    [InlineData("--client", "--behind-nat", "--client", "laptop1", "--client", "laptop1-gw")]
    public async Task Up_BehindNatWithBadInput_ExitsTwoNamingTheOptionAndCreatesNothing(string option, params string[] arguments)
    {
        await using var bed = new TestbedUnderTest(output.WriteLine);

        var (exitCode, _, stderr) = await RunCliAsync(
            ["up", "--no-agents", "--prefix", bed.Names.Prefix, "--subnet", bed.Names.Subnet, "--state", bed.Names.StateDirectory, .. arguments]);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(option + ":", stderr, StringComparison.Ordinal);
        Assert.Empty(await bed.LeftoversAsync());
    }

    [Fact]
    public async Task Link_OnAnUnknownNameOrAServerNode_ExitsTwoNamingIt_AndChangesNothing()
    {
        await using var bed = new TestbedUnderTest(output.WriteLine);
        await bed.UpAsync(bed.Request(1, "laptop1"));

        foreach (var name in new[] { "laptop9", "node1" })
        {
            var (exitCode, _, stderr) = await RunCliAsync(["link", name, "down", "--state", bed.Names.StateDirectory]);
            Assert.Equal(ExitCodes.Usage, exitCode);
            Assert.Contains($"'{name}' is not a client of the testbed", stderr, StringComparison.Ordinal);
            Assert.Contains("clients: laptop1", stderr, StringComparison.Ordinal);
        }

        var (badDirection, _, badDirectionError) = await RunCliAsync(["link", "laptop1", "sideways", "--state", bed.Names.StateDirectory]);
        Assert.Equal(ExitCodes.Usage, badDirection);
        Assert.Contains("down|up: 'sideways' is neither down nor up", badDirectionError, StringComparison.Ordinal);

        var status = await bed.Controller.StatusAsync(bed.Names.StateDirectory, CancellationToken.None);
        Assert.True(status is { Healthy: true } && status.Nodes.All(n => n.Link is null or { Down: false, PortState: "forwarding" }));
    }

    [Fact]
    public async Task Link_WhenNothingIsUp_ExitsOneAndSaysSo()
    {
        var names = TestbedNames.Create();

        var (exitCode, _, stderr) = await RunCliAsync(["link", "laptop1", "down", "--state", names.StateDirectory]);

        Assert.Equal(ExitCodes.Error, exitCode);
        Assert.Contains("no testbed is up", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(names.StateDirectory));
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(string[] args)
    {
        var stdout = new SynchronizedWriter();
        var stderr = new SynchronizedWriter();
        var exitCode = await Bounded.WithinAsync(
            TestbedApplication.RunAsync(args, new TestbedContext(stdout, stderr, TimeProvider.System), CancellationToken.None),
            TimeSpan.FromMinutes(1),
            $"skillvl-testbed {string.Join(' ', args)}");
        output.WriteLine($"$ skillvl-testbed {string.Join(' ', args)}\n-> exit {exitCode}\n{stdout}{stderr}");
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
