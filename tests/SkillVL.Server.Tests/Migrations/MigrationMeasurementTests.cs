using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// What the runner measures at the start of the prepare phase and how it uses it: the source's dirty rate and overlay
/// go into the plan.
/// </summary>
public sealed class MigrationMeasurementTests
{
    [Fact]
    public async Task MeasuredDirtyRateAndOverlay_GoIntoThePlan()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Driver.Measurement = new(DataRate.FromMebibytesPerSecond(20), 200L << 20, TimeSpan.FromSeconds(1));
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        var plan = MigrationJson.Read<MigrationParameters>(migration.ParametersJson!);
        Assert.True(plan.Prediction.DirtyRatio > 0, $"the plan's dirty ratio is {plan.Prediction.DirtyRatio}");
        var disk = plan.Prediction.Phases.Single(p => p.Phase == MigrationPhase.DiskMirror);
        Assert.True(disk.Bytes >= 200L << 20, $"the plan mirrors {disk.Bytes} bytes of a 200 MiB overlay");
    }

    [Fact]
    public async Task MeasuringFails_MigrationGoesOn_WithAnIdleGuest_AndTheReasonLogged()
    {
        await using var harness = new MigrationRunnerHarness();
        harness.Source.Driver.FailOn.Add("Measure");
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Equal(0, MigrationJson.Read<MigrationParameters>(migration.ParametersJson!).Prediction.DirtyRatio);
        Assert.Contains(migration.Log, l => l.Message.StartsWith("Prepare: measuring the VM on src failed (src: Measure failed (scripted))", StringComparison.Ordinal));
    }
}
