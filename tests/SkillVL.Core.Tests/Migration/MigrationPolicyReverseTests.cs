using SkillVL.Core.Migration;
using Xunit;
using static SkillVL.Core.Tests.Migration.MigrationSamples;

namespace SkillVL.Core.Tests.Migration;

/// <summary>A target that opens every connection itself (a client behind NAT, ADR 0020) gets the tunnel on any link.</summary>
public sealed class MigrationPolicyReverseTests
{
    [Theory]
    [InlineData("lan")]
    [InlineData("lan25")]
    [InlineData("campus")]
    [InlineData("dsl")]
    public void Plan_TargetDialsOut_ChoosesTheTunnel_OnEveryLink_AndSaysWhy(string link)
    {
        var plan = MigrationPolicy.Plan(Links[link], Vm(1), new MigrationLimits(), MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel, targetDialsOut: true);

        Assert.Equal(MigrationTransport.Tunnel, plan.Transport);
        Assert.Equal(0, plan.MultifdChannels);
        Assert.Equal(MigrationCompression.None, plan.Compression);
        Assert.InRange(plan.TunnelCompressionLevel, MigrationPolicy.ZstdLevelFast, MigrationPolicy.ZstdLevelSlowLink);
        Assert.Contains("client", plan.Reasons.Single(r => r.Parameter == "transport").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OnALan_WithoutTheClient_KeepsQemusTransport()
    {
        var plan = MigrationPolicy.Plan(Links["lan"], Vm(1), new MigrationLimits(), MigrationFeatures.Qemu72 | MigrationFeatures.Tunnel);

        Assert.Equal(MigrationTransport.Qemu, plan.Transport);
    }
}
