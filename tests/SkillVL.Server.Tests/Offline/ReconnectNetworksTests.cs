using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Offline;

/// <summary>An agent that connects again gets its networks ensured again (its relays or bridges may be gone, ADR 0024).</summary>
public sealed class ReconnectNetworksTests
{
    [Fact]
    public async Task Pass_AfterForgetEnsuredNetworks_EnsuresTheNodesNetworksAgain_OnlyThatNode()
    {
        await using var harness = new MigrationRunnerHarness();
        await harness.SeedAsync();
        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        var first = Count(harness.Source);
        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(first, Count(harness.Source)); // cached: a pass does not ensure an unchanged network again
        Assert.True(first > 0);

        harness.Reconciler.ForgetEnsuredNetworks("dst");
        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(first, Count(harness.Source));

        harness.Reconciler.ForgetEnsuredNetworks("src");
        await harness.Reconciler.PassAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(first + 1, Count(harness.Source));
    }

    private static int Count(FakeNode node)
    {
        lock (node.Ensured)
        {
            return node.Ensured.Count;
        }
    }
}
