using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>The engine's reverse mode (ADR 0020) against fake node ends: a client target dials, the source listens.</summary>
public sealed class ReverseMigrationRunnerTests
{
    [Fact]
    public async Task Run_ToAClientNode_SourceOpensProbeAndRendezvous_TargetDials_ThroughTheTunnel()
    {
        await using var harness = new MigrationRunnerHarness();
        MakeClient(harness, tunnel: true);
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.True(migration.State == MigrationStates.Succeeded, migration.Error + "\n" + string.Join("\n", migration.Log.Select(l => l.Message)));
        Assert.Equal(
            ["src:OpenReverseLinkProbe", "dst:ProbeLink", "src:CloseLinkProbe", "src:Measure", "src:OpenOutgoingRendezvous", "dst:PrepareIncoming",
             "src:StartDiskMirror", "src:StartRamMigration", "src:CompleteOutgoing", "dst:CompleteIncoming", "src:vm.Delete"],
            harness.Log.Steps);

        // The probe's endpoint and the rendezvous are on the source's address; the target was told to dial it.
        Assert.True(harness.Target.Driver.Probed!.Reverse);
        Assert.Equal("192.0.2.1", harness.Target.Driver.Probed.Host);
        var incoming = harness.Target.Driver.Incoming!;
        // The target checks the source's certificate by its node name, which every platform certificate carries (the
        // embedded node's names no address).
        Assert.Equal(harness.Source.Driver.Rendezvous! with { TlsHostname = "src" }, incoming.DialSource);
        Assert.Equal("192.0.2.1", incoming.DialSource!.Host);
        Assert.Equal("src", harness.Target.Driver.Probed.TlsHostname);
        Assert.Equal(MigrationTransport.Tunnel, incoming.Parameters.Transport);
        Assert.True(harness.Source.Driver.Outgoing!.Target.DialsSource);
        Assert.Contains(migration.Log, l => l.Message.Contains("nothing listens on the client", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ToAClientNode_WithoutTheTunnelOnANode_FailsWithTheReason_NothingPrepared()
    {
        await using var harness = new MigrationRunnerHarness();
        MakeClient(harness, tunnel: false);
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Failed, migration.State);
        Assert.Contains("client", migration.Error, StringComparison.Ordinal);
        Assert.Contains("tunnel", migration.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("dst:PrepareIncoming", harness.Log.Steps);
        Assert.DoesNotContain("src:OpenOutgoingRendezvous", harness.Log.Steps);
        Assert.Contains("src:CancelOutgoing", harness.Log.Steps);
    }

    [Fact]
    public async Task Run_ToAServerNode_KeepsTheForwardMode()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Driver.Features = harness.Target.Driver.Features = MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel;
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Null(harness.Target.Driver.Incoming!.DialSource);
        Assert.DoesNotContain("src:OpenOutgoingRendezvous", harness.Log.Steps);
        Assert.Contains("dst:OpenLinkProbe", harness.Log.Steps);
    }

    private static void MakeClient(MigrationRunnerHarness harness, bool tunnel)
    {
        harness.Target.Facts = harness.Target.Facts with { Kind = "client" };
        harness.Source.Driver.Features = MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel;
        harness.Target.Driver.Features = tunnel ? MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel : MigrationFeatures.Qemu72;
    }
}
