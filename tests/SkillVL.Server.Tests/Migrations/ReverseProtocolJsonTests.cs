using System.Text.Json;
using SkillVL.Agent.Remote;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>Reverse mode's records (ADR 0020) cross the agent connection as JSON and come back equal; an older Server's
/// request (no DialSource) still means the forward mode.</summary>
public sealed class ReverseProtocolJsonTests
{
    [Fact]
    public void Rendezvous_DialSource_DialsSource_AndTheReverseProbe_RoundTrip()
    {
        var parameters = MigrationPolicy.Plan(new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(40)),
            new VmMigrationProfile { MemoryBytes = 1L << 30 }, new MigrationLimits(), MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel, targetDialsOut: true);
        var rendezvous = new OutgoingRendezvous("198.18.0.11", 40123, new string('f', 64), "198.18.0.11");
        var spec = new VmSpec("m1", "web", "sha", 1, 1L << 30, [], "hash");
        var request = new IncomingMigrationRequest("mig1", spec, "198.18.0.12", DiskTransfer.Overlay, 0, parameters, Tls: true, DialSource: rendezvous);
        var prepared = new IncomingMigration("198.18.0.11", 0, 0, "m1", "198.18.0.11", DialsSource: true);
        var probe = new LinkProbeEndpoint("198.18.0.11", 40124, "token", "198.18.0.11", TimeSpan.FromSeconds(60), Reverse: true);

        Assert.Equal(rendezvous, RoundTrip(rendezvous));
        Assert.Equal(rendezvous, RoundTrip(request).DialSource);
        Assert.Equal(MigrationTransport.Tunnel, RoundTrip(request).Parameters.Transport);
        Assert.Equal(prepared, RoundTrip(prepared));
        Assert.Equal(probe, RoundTrip(probe));
        Assert.Equal(new AgentCalls.OpenOutgoingRendezvous("mig1", "m1", "198.18.0.11"), RoundTrip(new AgentCalls.OpenOutgoingRendezvous("mig1", "m1", "198.18.0.11")));
    }

    [Fact]
    public void ARequestWithoutTheNewFields_MeansTheForwardMode()
    {
        var old = JsonSerializer.Deserialize<IncomingMigration>("""{"host":"198.18.0.12","migrationPort":0,"nbdPort":0,"nbdExport":"m1","tlsHostname":"198.18.0.12","tunnelPort":4000,"tunnelToken":"t"}""", AgentChannel.Json)!;
        var endpoint = JsonSerializer.Deserialize<LinkProbeEndpoint>("""{"host":"198.18.0.12","port":4001,"token":"t","tlsHostname":"198.18.0.12","lifetime":"00:01:00"}""", AgentChannel.Json)!;

        Assert.False(old.DialsSource);
        Assert.False(endpoint.Reverse);
    }

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, AgentChannel.Json), AgentChannel.Json)!;
}
