using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Migration;
using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

/// <summary>
/// What the runner measures at the start of the prepare phase and how it uses it: the source's dirty rate and overlay
/// go into the plan; the link is the request's, else the probe's, else the configured one, else the default — the
/// latter two only when the probe fails, with the reason in the migration's log.
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

    [Fact]
    public async Task NoLinkInTheRequest_TheProbeBetweenTheNodesMeasuresIt_OnTheTargetsUnderlay_AndItsEndpointIsClosed()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Equal("measured", migration.LinkSource);
        Assert.Equal(harness.Source.Driver.ProbedLink, MigrationJson.Read<LinkMeasurement>(migration.LinkJson!));
        Assert.Equal("192.0.2.2", harness.Source.Driver.Probed!.Host);
        Assert.Empty(harness.Target.Driver.OpenProbes);
        Assert.Contains(migration.Log, l => l.Message.StartsWith("Prepare: link 48 Mbit/s, RTT 41 ms (measured)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LinkInTheRequest_WinsOverTheProbe_WhichIsNotMade()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        var given = new LinkMeasurement(DataRate.FromMegabitsPerSecond(20), TimeSpan.FromMilliseconds(80));
        await SetRequestLinkAsync(harness, id, given);
        harness.Options.Value.Migration.Links["dst"] = new MigrationLinkSetting { Bandwidth = "10Mbit", Rtt = "5ms" };

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Equal("request", migration.LinkSource);
        Assert.Equal(given, MigrationJson.Read<LinkMeasurement>(migration.LinkJson!));
        Assert.DoesNotContain(harness.Log.Calls, c => c.Contains("Probe", StringComparison.Ordinal));
    }

    /// <summary>The probe fails on the source (e.g. the target's endpoint unreachable) or the target cannot open one: the
    /// configured link for the target, else the default, and the log says why. The endpoint is closed either way.</summary>
    [Theory]
    [InlineData("src", "ProbeLink", true, "configured")]
    [InlineData("dst", "OpenLinkProbe", true, "configured")]
    [InlineData("src", "ProbeLink", false, "default")]
    public async Task ProbeFails_ConfiguredElseDefaultLink_ReasonLogged_EndpointClosed(string node, string call, bool configured, string expected)
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        (node == "src" ? harness.Source : harness.Target).Driver.FailOn.Add(call);
        if (configured)
        {
            harness.Options.Value.Migration.Links["dst"] = new MigrationLinkSetting { Bandwidth = "10Mbit", Rtt = "5ms" };
        }

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Equal(expected, migration.LinkSource);
        var link = MigrationJson.Read<LinkMeasurement>(migration.LinkJson!);
        Assert.Equal(configured ? 10 : 1000, link.Bandwidth.MegabitsPerSecond);
        Assert.Contains(migration.Log, l => l.Message ==
            $"Prepare: the link probe from src to dst failed: {node}: {call} failed (scripted); planning with the {expected} link.");
        Assert.Contains("dst:CloseLinkProbe", harness.Log.Calls);
        Assert.Empty(harness.Target.Driver.OpenProbes);
    }

    [Fact]
    public async Task ProbeOff_ConfiguredLink_SaysSo()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Options.Value.Migration.ProbeLink = false;

        var migration = await harness.RunAsync(id);

        Assert.Equal("default", migration.LinkSource);
        Assert.DoesNotContain(harness.Log.Calls, c => c.Contains("Probe", StringComparison.Ordinal));
        Assert.Contains(migration.Log, l => l.Message == "Prepare: the link probe is off (SkillVL:Migration:ProbeLink); planning with the default link.");
    }

    [Fact]
    public async Task QemuDefaultsTuning_StillMeasures_ButKeepsQemusDefaults()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync(tuning: "qemu-defaults");

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Succeeded, migration.State);
        Assert.Equal("measured", migration.LinkSource);
        Assert.Equal(MigrationRunner.QemuDefaultMaxBandwidth, MigrationJson.Read<MigrationParameters>(migration.ParametersJson!).MaxBandwidth);
        Assert.Contains("src:Measure", harness.Log.Calls);
    }

    [Fact]
    public async Task CancelDuringTheProbe_ClosesTheEndpoint_MachineStaysOnSource()
    {
        await using var harness = new MigrationRunnerHarness();
        var id = await harness.SeedAsync();
        harness.Source.Driver.OnCall = c =>
        {
            if (c == "ProbeLink")
            {
                harness.Runner.Cancel(id);
            }
        };

        var migration = await harness.RunAsync(id);

        Assert.Equal(MigrationStates.Cancelled, migration.State);
        Assert.Contains("dst:CloseLinkProbe", harness.Log.Calls);
        Assert.Empty(harness.Target.Driver.OpenProbes);
        Assert.DoesNotContain("dst:PrepareIncoming", harness.Log.Calls);
        Assert.Equal("src", (await harness.MachineAsync()).NodeName);
    }

    private static async Task SetRequestLinkAsync(MigrationRunnerHarness harness, string id, LinkMeasurement link)
    {
        await using var db = await harness.Db.CreateDbContextAsync();
        await db.Migrations.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LinkJson, MigrationJson.Write(link))
            .SetProperty(m => m.LinkSource, "request"));
    }
}
