using SkillVL.Core.Api.Migrations;
using Xunit;

namespace SkillVL.Experiments.Tests;

public sealed class MigrationMeasurementTests
{
    private static MigrationInfo Migration(string name, string state, double? totalMs, double? downtimeMs, long? ram, string? error = null) =>
        new("m-" + name, new MigrationMachineRef("id-" + name, "exp", name), "node1", "laptop1", "live", state, "done",
            new MigrationProgressInfo("done", 0, 0, 0, null), null, null, null,
            new MigrationOptionsInfo(null, 300, null, null, false, "overlay", "policy", true),
            new MigrationMetrics(totalMs, downtimeMs, null, ram, 0, null, null), error, null, [], DateTimeOffset.UnixEpoch, null, null);

    [Fact]
    public void Of_SeveralVms_SlowestTimeSummedBytes()
    {
        var m = MigrationMeasurement.Of([Migration("vm1", "succeeded", 10_000, 200, 100), Migration("vm2", "succeeded", 14_000, 150, 50)], 999);

        Assert.Equal(new RunMeasurement("succeeded", 14, 200, null, 999, 150, 0, null, null), m);
    }

    [Fact]
    public void Of_OneFailed_TheRunFailedWithItsError()
    {
        var m = MigrationMeasurement.Of([Migration("vm1", "succeeded", 10_000, 200, 100), Migration("vm2", "failed", null, null, null, "did not converge")], 5);

        Assert.Equal("failed", m.Outcome);
        Assert.Equal("vm2: did not converge", m.Error);
        Assert.Equal(10, m.TotalSeconds);
    }
}
