using SkillVL.Server.Recommendations;

namespace SkillVL.Server.Tests.Recommendations;

/// <summary>The console round trip the advisor is given (ADR 0027): the user's computer's link to the Server plus the
/// Server's to the node.</summary>
public sealed class ConsoleEstimateTests
{
    [Theory]
    // node is a client?, the user's computers' links (ms, empty: none connected), Server → node (ms, -1 unknown), expected (ms, -1 null)
    [InlineData(false, new double[] { 80 }, 0, 80)] // the embedded node: the gateway is in the Server
    [InlineData(false, new double[] { 80 }, 2, 82)]
    [InlineData(false, new double[] { 80, 30 }, 2, 32)] // the fastest of two computers: no gain is overclaimed
    [InlineData(false, new double[0], 2, -1)] // no computer connected: unknown
    [InlineData(false, new double[] { 80 }, -1, -1)] // the node's leg not measured
    [InlineData(true, new double[] { 80 }, 2, -1)] // on a client node the owner uses its local console
    public void EstimateConsole_SumsTheTwoLegs(bool nodeIsClient, double[] clientLinksMs, double serverToNodeMs, double expectedMs)
    {
        var estimate = LivePlacementSignals.EstimateConsole(
            nodeIsClient,
            clientLinksMs.Select(TimeSpan.FromMilliseconds).ToList(),
            serverToNodeMs < 0 ? null : TimeSpan.FromMilliseconds(serverToNodeMs));

        Assert.Equal(expectedMs < 0 ? null : TimeSpan.FromMilliseconds(expectedMs), estimate);
    }
}
