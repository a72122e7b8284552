using System.Text.Json;
using SkillVL.Agent.Remote;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>The migration records cross the agent connection as JSON (AgentChannel.Json) and come back equal.</summary>
public sealed class MigrationProtocolJsonTests
{
    private static readonly MigrationParameters Parameters = MigrationPolicy.Plan(
        new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(40), 0.001),
        new VmMigrationProfile { MemoryBytes = 1L << 30, DirtyRate = DataRate.FromMebibytesPerSecond(5), OverlayBytes = 100L << 20, BaseImageBytes = 300L << 20 },
        new MigrationLimits { MaxBandwidth = DataRate.FromMegabitsPerSecond(40), MaxDowntime = TimeSpan.FromSeconds(2), MaxTotalTime = TimeSpan.FromMinutes(10) },
        MigrationFeatures.Qemu72);

    [Fact]
    public void Parameters_WithReasonsAndPrediction_RoundTrip()
    {
        var back = RoundTrip(Parameters);

        Assert.Equal(Parameters.MaxBandwidth, back.MaxBandwidth);
        Assert.Equal(Parameters.DowntimeLimit, back.DowntimeLimit);
        Assert.Equal(
            (Parameters.MultifdChannels, Parameters.Compression, Parameters.CompressionLevel, Parameters.XbzrleCacheBytes, Parameters.AutoConverge, Parameters.ThrottleTriggerPercent, Parameters.PostCopy),
            (back.MultifdChannels, back.Compression, back.CompressionLevel, back.XbzrleCacheBytes, back.AutoConverge, back.ThrottleTriggerPercent, back.PostCopy));
        Assert.Equal(Parameters.Reasons, back.Reasons);
        Assert.Equal(Parameters.Prediction.Phases, back.Prediction.Phases);
        Assert.Equal(Parameters.Prediction.RoundBytes, back.Prediction.RoundBytes);
        Assert.Equal(Parameters.Prediction.TotalTime, back.Prediction.TotalTime);
        Assert.Equal(Parameters.Prediction.Downtime, back.Prediction.Downtime);
        Assert.Equal(Parameters.Prediction.NonConvergenceReason, back.Prediction.NonConvergenceReason);
    }

    [Fact]
    public void IncomingRequest_AndThePreparedAnswer_RoundTrip()
    {
        var spec = new VmSpec("m1", "web", "sha", 2, 1L << 30, [new NicSpec("c1", "n1", "52:54:00:c1:00:01", 1450, "10.0.0.5/24")], "hash");
        var request = new IncomingMigrationRequest("mig1", spec, "198.18.0.12", DiskTransfer.Overlay, 0, Parameters, Tls: true);
        var prepared = new AgentCalls.PreparedIncoming(new IncomingMigration("198.18.0.12", 49152, 49153, "drive0", "node2"), 123456);

        var backRequest = RoundTrip(request);
        var backPrepared = RoundTrip(prepared);

        Assert.Equal(request.Spec.Nics, backRequest.Spec.Nics);
        Assert.Equal((request.MigrationId, request.ListenAddress, request.Disk, request.Tls), (backRequest.MigrationId, backRequest.ListenAddress, backRequest.Disk, backRequest.Tls));
        Assert.Equal(request.Parameters.Reasons, backRequest.Parameters.Reasons);
        Assert.Equal(prepared, backPrepared);
        var outgoing = RoundTrip(new OutgoingMigrationRequest("mig1", "m1", prepared.Target, DiskTransfer.Full, Parameters, false));
        Assert.Equal((prepared.Target, DiskTransfer.Full), (outgoing.Target, outgoing.Disk));
    }

    [Fact]
    public void Status_Decision_AndFacts_RoundTrip()
    {
        var ram = new MigrationProgress
        {
            Iteration = 3, MemoryBytes = 1L << 30, RemainingBytes = 5L << 20, TransferredBytes = 2L << 30,
            TransferRate = DataRate.FromMegabitsPerSecond(50), DirtyRate = DataRate.FromMebibytesPerSecond(2),
            Elapsed = TimeSpan.FromSeconds(12.5), ExpectedDowntime = TimeSpan.FromMilliseconds(350), ThrottlePercent = 20, PostCopyActive = false,
        };
        var status = new OutgoingMigrationStatus(OutgoingMigrationState.MigratingRam, 10, 20, ram, TimeSpan.FromMilliseconds(260), null, 1234, null);
        var decision = new AgentCalls.ApplyDecision("m1", new MigrationDecision(MigrationAction.RaiseDowntimeLimit, "why", TimeSpan.FromMilliseconds(450)));
        var facts = new NodeFacts("n", 2, 1L << 30, "tcg", "client", "198.18.0.12", new Dictionary<string, string> { ["site"] = "home" }, MigrationFeatures.Qemu72,
            new HypervisorFacts("7.2.22", "pc-i440fx-7.2", "qemu64-v1", ["pc-i440fx-7.2", "pc-i440fx-7.1"]));

        Assert.Equal(status, RoundTrip(status));
        Assert.Equal(decision, RoundTrip(decision));
        var backFacts = RoundTrip(facts);
        Assert.Equal(MigrationFeatures.Qemu72, backFacts.Migration);
        Assert.Equal(("7.2.22", "pc-i440fx-7.2", "qemu64-v1"), (backFacts.Hypervisor!.Version, backFacts.Hypervisor.MachineType, backFacts.Hypervisor.CpuModel));
        Assert.Equal(["pc-i440fx-7.2", "pc-i440fx-7.1"], backFacts.Hypervisor.MachineTypes);
        Assert.Null(RoundTrip(facts with { Migration = null }).Migration);
    }

    private static T RoundTrip<T>(T value)
    {
        // As the channel does it: into a JsonElement in the message, then out.
        var element = JsonSerializer.SerializeToElement(value, AgentChannel.Json);
        var message = JsonSerializer.Serialize(new AgentMessage { Type = AgentMessage.Response, Id = 1, Result = element }, AgentChannel.Json);
        var parsed = JsonSerializer.Deserialize<AgentMessage>(message, AgentChannel.Json)!;
        return parsed.Result!.Value.Deserialize<T>(AgentChannel.Json)!;
    }
}
