using SkillVL.Core.Compute;
using Xunit;

namespace SkillVL.Core.Tests.Compute;

public sealed class GuestNetworkScriptTests
{
    private static readonly NicSpec Static = new("n1", "net1", "52:54:00:AA:00:01", 1450, "10.0.1.10/24");
    private static readonly NicSpec Unconfigured = new("n2", "net2", "52:54:00:AA:00:02", 1400, null);

    private static string[] Lines(string script) => script.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Build_NicWithAddress_FlushesAndAddsIt()
    {
        var lines = Lines(GuestNetworkScript.Build("web", [Static]));

        Assert.Contains("cfg '52:54:00:aa:00:01' 1450 '10.0.1.10/24'", lines);
    }

    /// <summary>Issue 18: a DHCP lease or the student's own address must survive the script run after each boot.</summary>
    [Fact]
    public void Build_NicWithoutAddress_IsNeverFlushed()
    {
        var lines = Lines(GuestNetworkScript.Build("web", [Static, Unconfigured]));

        Assert.Contains("keep '52:54:00:aa:00:02' 1400", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("cfg '52:54:00:aa:00:02'", StringComparison.Ordinal));

        // The only flush is inside cfg, which only NICs with an address call.
        var keepBody = lines.SkipWhile(l => l != "keep() {").TakeWhile(l => l != "}").ToList();
        Assert.NotEmpty(keepBody);
        Assert.DoesNotContain(keepBody, l => l.Contains("flush", StringComparison.Ordinal));
        Assert.DoesNotContain(keepBody, l => l.Contains("addr", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_WithGateway_ReplacesTheDefaultRouteWithThePlatformsProtocol()
    {
        var lines = Lines(GuestNetworkScript.Build("web", [Static], "10.0.1.1"));

        Assert.Contains("ip route replace default via '10.0.1.1' proto 91", lines);
    }

    /// <summary>The guest's shell is the only reader of the script: it must at least parse (sh -n runs nothing), with and
    /// without a gateway and name server (the two take different lines).</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Build_ParsesAsShell(bool routed)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var script = routed ? GuestNetworkScript.Build("web", [Static, Unconfigured], "10.0.1.1", "10.0.1.1") : GuestNetworkScript.Build("web", [Static, Unconfigured]);
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-n", "-c", script])
        {
            RedirectStandardError = true,
        };
        using var shell = System.Diagnostics.Process.Start(start)!;
        var errors = await shell.StandardError.ReadToEndAsync(timeout.Token);
        await shell.WaitForExitAsync(timeout.Token);

        Assert.True(shell.ExitCode == 0, errors);
    }

    [Fact]
    public void Build_WithNameServer_WritesResolvConfWithItsMarker()
    {
        var lines = Lines(GuestNetworkScript.Build("web", [Static], "10.0.1.1", "10.0.1.1"));

        Assert.Equal("printf '%s\\nnameserver %s\\n' '# written by SkillVL: the room DNS (ADR 0039)' '10.0.1.1' > /etc/resolv.conf", lines[^1]);
    }

    /// <summary>Issue 18: a gateway (or name server) dropped by an apply goes at the next run, and only the platform's own.</summary>
    [Fact]
    public void Build_WithoutGateway_RemovesOnlyThePlatformsRouteAndResolvConf()
    {
        var lines = Lines(GuestNetworkScript.Build("web", [Static, Unconfigured]));

        Assert.Contains("ip route del default proto 91 2>/dev/null || :", lines);
        Assert.DoesNotContain(lines, l => l.Contains("route replace", StringComparison.Ordinal) || l.Contains("route add", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("if [ \"$(head -n 1 /etc/resolv.conf", StringComparison.Ordinal) && l.EndsWith("then rm -f /etc/resolv.conf; fi", StringComparison.Ordinal));
    }
}
