using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// <see cref="FreeHostNames"/>: a prefix no interface on the host starts with and an underlay subnet no address on the
/// host lies in — what lets the bench and <c>skillvl experiment</c> bring testbeds up beside what a killed run left.
/// </summary>
public sealed class FreeHostNamesTests
{
    [Fact]
    public async Task Pick_SkipsASubnetInUseOnTheHost_AndAPrefixOfAnInterfaceThere()
    {
        // A bridge of the test's own, down, holding 198.18.252.1 (outside every range the bench and experiments pick from).
        var dummy = "tb" + Guid.NewGuid().ToString("N")[..6];
        await RunCheckedAsync("ip", "link", "add", dummy, "type", "bridge");
        try
        {
            await RunCheckedAsync("ip", "address", "add", "198.18.252.1/24", "dev", dummy);
            for (var i = 0; i < 20; i++)
            {
                var (prefix, subnet) = await FreeHostNames.PickAsync("tb", 252, 253, CancellationToken.None);
                Assert.Equal("198.18.253.0/24", subnet);
                Assert.Matches("^tb[0-9a-f]{3}$", prefix);
                Assert.False(dummy.StartsWith(prefix, StringComparison.Ordinal), $"{prefix} is the start of {dummy}, an interface on the host");
                var (exitCode, stdout, _) = await HostTools.RunAsync("ip", ["-br", "link", "show"], TimeSpan.FromSeconds(10));
                Assert.Equal(0, exitCode);
                Assert.DoesNotContain(stdout.Split('\n'), l => l.StartsWith(prefix, StringComparison.Ordinal));
            }

            await RunCheckedAsync("ip", "address", "add", "198.18.253.1/24", "dev", dummy);
            var full = await Assert.ThrowsAsync<TestbedException>(() => FreeHostNames.PickAsync("tb", 252, 253, CancellationToken.None));
            Assert.Contains("every 198.18.252-253.0/24 is in use", full.Message, StringComparison.Ordinal);
        }
        finally
        {
            await HostTools.RunAsync("ip", ["link", "del", dummy], TimeSpan.FromSeconds(10));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("1ab")]
    [InlineData("Tb")]
    [InlineData("toolong")]
    public async Task Pick_ABadStem_IsRefusedNamingIt(string stem)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => FreeHostNames.PickAsync(stem, 1, 2, CancellationToken.None));
        Assert.Contains($"'{stem}' is not a stem", error.Message, StringComparison.Ordinal);
    }

    private static async Task RunCheckedAsync(params string[] command)
    {
        var (exitCode, stdout, stderr) = await HostTools.RunAsync(command[0], command[1..], TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, $"{string.Join(' ', command)} exited {exitCode}: {stdout}{stderr}");
    }
}
