using SkillVL.Testbed.Commands;
using SkillVL.Testbed.Planning;
using SkillVL.Testbed.State;
using SkillVL.TestUtilities;
using Xunit;
using Xunit.Abstractions;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// <c>skillvl-testbed link NAME down|up</c> (issue 12): a cut link loses every frame while the client's eth0 stays up,
/// with and without NAT; <c>up</c> brings it back; the state and <c>status</c> say so; <c>down</c> works on a cut link.
/// </summary>
public sealed class TestbedLinkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LinkDown_ClientLosesNode1_Eth0StaysUp_LinkUp_ItIsBack_DownRemovesACutTestbed(bool behindNat)
    {
        HostTools.RequireTool("ping", "iputils-ping");
        await using var bed = new TestbedUnderTest(output.WriteLine);
        await bed.UpAsync(bed.Request(1, "laptop1") with { BehindNat = behindNat });
        var client = bed.Names.Namespace("laptop1");
        var node1 = bed.Names.Host(11);
        Assert.Equal(0, (await PingAsync(client, node1, 2)).ExitCode);

        var (cut, cutOut, cutError) = await RunCliAsync(["link", "laptop1", "down", "--state", bed.Names.StateDirectory]);

        Assert.True(cut == 0, cutError);
        Assert.Contains("laptop1: link down", cutOut, StringComparison.Ordinal);
        var lost = await PingAsync(client, node1, 3);
        output.WriteLine($"cut: laptop1 -> node1: {lost.Stdout.Split('\n').FirstOrDefault(l => l.Contains("transmitted", StringComparison.Ordinal))}");
        Assert.NotEqual(0, lost.ExitCode);
        Assert.Contains(" 0 received", lost.Stdout, StringComparison.Ordinal);
        var eth0 = await Netns.ExecAsync(client, CommandTimeout, "ip", "link", "show", "dev", "eth0");
        output.WriteLine($"cut: laptop1 {eth0.Trim()}");
        Assert.Contains("UP,LOWER_UP", eth0, StringComparison.Ordinal);
        Assert.Contains("state UP", eth0, StringComparison.Ordinal);
        var status = await bed.Controller.StatusAsync(bed.Names.StateDirectory, CancellationToken.None);
        var link = status!.Nodes.Single(n => n.Name == "laptop1").Link!;
        Assert.True(link is { Down: true, PortState: "disabled" }, $"{link.Down} {link.PortState}");
        Assert.True(status.Healthy, "a cut link is what was asked for");
        Assert.True(StateFile.Load(Path.Combine(bed.Names.StateDirectory, TestbedPlan.StateFileName))!.Nodes.Single(n => n.Name == "laptop1").Link!.Down);
        var (_, table, _) = await RunCliAsync(["status", "--state", bed.Names.StateDirectory]);
        Assert.Contains("loss 0%, DOWN", table, StringComparison.Ordinal);

        var (restore, _, restoreError) = await RunCliAsync(["link", "laptop1", "up", "--state", bed.Names.StateDirectory]);

        Assert.True(restore == 0, restoreError);
        Assert.Equal(0, (await PingAsync(client, node1, 2)).ExitCode);
        link = (await bed.Controller.StatusAsync(bed.Names.StateDirectory, CancellationToken.None))!.Nodes.Single(n => n.Name == "laptop1").Link!;
        Assert.True(link is { Down: false, PortState: "forwarding" }, $"{link.Down} {link.PortState}");

        // Cut again, then down: it removes a testbed whose link is cut like any other.
        await bed.Controller.SetLinkAsync(bed.Names.StateDirectory, "laptop1", up: false, CancellationToken.None);
        await bed.DownAsync();
        Assert.Empty(await bed.LeftoversAsync());
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> PingAsync(string @namespace, string address, int count) =>
        Netns.RunAsync(@namespace, CommandTimeout, "ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.3", "-W", "1", address);

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
