using System.Text.Json.Nodes;
using SkillVL.Core.Compute;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.Migration;

namespace SkillVL.Drivers.Qemu.Tests.Migration;

public sealed class MigrationQmpTests
{
    // query-migrate of a finished migration, as QEMU 7.2 answered it (tiny guest, 128 MiB, loopback).
    private const string Completed = """
        {"status": "completed", "setup-time": 1, "downtime": 39, "total-time": 643, "ram": {"total": 134750208,
         "postcopy-requests": 0, "dirty-sync-count": 3, "multifd-bytes": 0, "pages-per-second": 34650,
         "downtime-bytes": 12589518, "page-size": 4096, "remaining": 0, "postcopy-bytes": 0, "mbps": 1162.0105171339562,
         "transferred": 93127306, "dirty-sync-missed-zero-copy": 0, "precopy-bytes": 80537788, "duplicate": 10399,
         "dirty-pages-rate": 0, "skipped": 0, "normal-bytes": 92852224, "normal": 22669}}
        """;

    private const string Active = """
        {"status": "active", "expected-downtime": 300, "setup-time": 2, "total-time": 1500, "ram": {"total": 134750208,
         "dirty-sync-count": 2, "page-size": 4096, "remaining": 50000000, "mbps": 80.5, "transferred": 40000000,
         "dirty-pages-rate": 250, "normal-bytes": 39000000}, "cpu-throttle-percentage": 20}
        """;

    private static readonly MirrorJob Ready = new("ready", 131072, 131072, null);

    /// <summary>query-dirty-rate answers of QEMU 7.2 (TCG): before any measurement, during one, and once measured.</summary>
    [Theory]
    [InlineData("""{"status": "unstarted", "sample-pages": 0, "mode": "page-sampling", "start-time": 0, "calc-time": 0}""", null)]
    [InlineData("""{"status": "measuring", "sample-pages": 4096, "mode": "page-sampling", "start-time": 34582, "calc-time": 1}""", null)]
    [InlineData("""{"status": "measured", "sample-pages": 4096, "dirty-rate": 12, "mode": "page-sampling", "start-time": 34584, "calc-time": 1}""", 12.0)]
    [InlineData("""{"status": "measured", "sample-pages": 4096, "dirty-rate": 0, "mode": "page-sampling", "start-time": 34584, "calc-time": 1}""", 0.0)]
    // An earlier measurement with other settings (another caller's, or a stale answer before QEMU's thread started).
    [InlineData("""{"status": "measured", "sample-pages": 512, "dirty-rate": 7, "mode": "page-sampling", "start-time": 34507, "calc-time": 1}""", null)]
    [InlineData("""{"status": "measured", "sample-pages": 4096, "dirty-rate": 7, "mode": "page-sampling", "start-time": 34507, "calc-time": 2}""", null)]
    public void DirtyRate_OnlyOurMeasuredAnswer_CountsInMiBPerSecond(string answer, double? mebibytesPerSecond)
    {
        Assert.Equal(mebibytesPerSecond, MigrationQmp.DirtyRate(JsonNode.Parse(answer), seconds: 1)?.MebibytesPerSecond);
    }

    [Fact]
    public void CalcDirtyRate_PageSamplingWithMoreSamples()
    {
        Assert.Equal("""{"calc-time":3,"sample-pages":4096,"mode":"page-sampling"}""", MigrationQmp.CalcDirtyRate(3).ToJsonString());
    }

    [Fact]
    public void Status_Completed_CarriesDowntimeSetupAndBytes()
    {
        var status = MigrationQmp.Status(Ready, JsonNode.Parse(Completed), TimeSpan.FromSeconds(3), ramStarted: true);

        Assert.Equal(OutgoingMigrationState.Completed, status.State);
        Assert.Equal(TimeSpan.FromMilliseconds(39), status.Downtime);
        Assert.Equal(TimeSpan.FromMilliseconds(1), status.SetupTime);
        Assert.Equal(93127306, status.RamBytesTotalTransferred);
        Assert.Equal(131072, status.DiskBytesDone);
        Assert.Equal(3, status.Ram!.Iteration);
    }

    [Fact]
    public void Status_Active_MapsProgressForThePolicy()
    {
        var status = MigrationQmp.Status(Ready, JsonNode.Parse(Active), TimeSpan.FromSeconds(7), ramStarted: true);

        Assert.Equal(OutgoingMigrationState.MigratingRam, status.State);
        var ram = status.Ram!;
        Assert.Equal(2, ram.Iteration);
        Assert.Equal(50000000, ram.RemainingBytes);
        Assert.Equal(40000000, ram.TransferredBytes);
        Assert.Equal(DataRate.FromMegabitsPerSecond(80.5), ram.TransferRate);
        Assert.Equal(new DataRate(250 * 4096), ram.DirtyRate);
        Assert.Equal(TimeSpan.FromMilliseconds(300), ram.ExpectedDowntime);
        Assert.Equal(20, ram.ThrottlePercent);
        Assert.Equal(TimeSpan.FromSeconds(7), ram.Elapsed);
        Assert.False(ram.PostCopyActive);
    }

    [Theory]
    [InlineData("running", OutgoingMigrationState.MirroringDisk)]
    [InlineData("created", OutgoingMigrationState.MirroringDisk)]
    [InlineData("ready", OutgoingMigrationState.DiskReady)]
    [InlineData("standby", OutgoingMigrationState.DiskReady)]
    [InlineData("concluded", OutgoingMigrationState.Cancelled)]
    public void Status_BeforeRam_FollowsTheMirror(string jobStatus, OutgoingMigrationState expected)
    {
        // A query-migrate status left from an earlier migration of the process must not count before migrate is issued.
        var status = MigrationQmp.Status(new MirrorJob(jobStatus, 10, 20, null), JsonNode.Parse(Completed), TimeSpan.Zero, ramStarted: false);

        Assert.Equal(expected, status.State);
        Assert.Null(status.Ram);
    }

    [Fact]
    public void Status_MirrorError_IsAFailureNamingIt()
    {
        var status = MigrationQmp.Status(new MirrorJob("concluded", 10, 20, "Input/output error"), null, TimeSpan.Zero, ramStarted: false);

        Assert.Equal(OutgoingMigrationState.Failed, status.State);
        Assert.Contains("Input/output error", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_FailedMigration_CarriesQemusReason()
    {
        var status = MigrationQmp.Status(Ready, JsonNode.Parse("""{"status": "failed", "error-desc": "Unable to write to socket: Broken pipe"}"""), TimeSpan.Zero, true);

        Assert.Equal(OutgoingMigrationState.Failed, status.State);
        Assert.Equal("QEMU's migration failed: Unable to write to socket: Broken pipe", status.Error);
    }

    [Fact]
    public void Status_NoRecordOfAnything_IsNone() =>
        Assert.Equal(OutgoingMigrationState.None, MigrationQmp.Status(null, JsonNode.Parse("{}"), TimeSpan.Zero, false).State);

    [Fact]
    public void FindMirror_ReadsOurJobOnly()
    {
        var jobs = JsonNode.Parse("""
            [{"id": "other", "status": "running", "current-progress": 1, "total-progress": 2},
             {"id": "mig-disk", "status": "ready", "current-progress": 5, "total-progress": 5, "type": "mirror"}]
            """);

        Assert.Equal(new MirrorJob("ready", 5, 5, null), MigrationQmp.FindMirror(jobs));
        Assert.Null(MigrationQmp.FindMirror(JsonNode.Parse("[]")));
    }

    [Fact]
    public void Parameters_Source_CarryEveryPolicyChoice_TargetOnlyWhatItNeeds()
    {
        var parameters = MigrationPolicy.Plan(
            new LinkMeasurement(DataRate.FromMegabitsPerSecond(50), TimeSpan.FromMilliseconds(40)),
            new VmMigrationProfile { MemoryBytes = 512L << 20, DirtyRate = DataRate.FromMebibytesPerSecond(2), TargetHasBase = true },
            new MigrationLimits { DowntimeLimit = TimeSpan.FromMilliseconds(250.2) },
            MigrationFeatures.Qemu72);

        var source = MigrationQmp.Parameters(parameters, source: true, "tls0", "10.0.0.2");
        var target = MigrationQmp.Parameters(parameters, source: false, "tls0", null);

        Assert.Equal(parameters.MaxBandwidth.BytesPerSecond, source["max-bandwidth"]!.GetValue<long>());
        Assert.Equal(251, source["downtime-limit"]!.GetValue<long>());
        Assert.Equal(parameters.MultifdChannels, source["multifd-channels"]!.GetValue<int>());
        Assert.Equal("zstd", source["multifd-compression"]!.GetValue<string>());
        Assert.Equal("10.0.0.2", source["tls-hostname"]!.GetValue<string>());
        Assert.Equal(parameters.MultifdChannels, target["multifd-channels"]!.GetValue<int>());
        Assert.Null(target["max-bandwidth"]);
        Assert.Null(target["tls-hostname"]);
        Assert.Equal("tls0", target["tls-creds"]!.GetValue<string>());
    }

    [Fact]
    public void Capabilities_MatchTheParameters()
    {
        var parameters = MigrationPolicy.Plan(
            new LinkMeasurement(DataRate.FromGigabitsPerSecond(10), TimeSpan.FromMilliseconds(0.2)),
            new VmMigrationProfile { MemoryBytes = 4L << 30 },
            new MigrationLimits { AllowAutoConverge = false },
            MigrationFeatures.Qemu72);

        var capabilities = MigrationQmp.Capabilities(parameters)["capabilities"]!.AsArray()
            .ToDictionary(c => c!["capability"]!.GetValue<string>(), c => c!["state"]!.GetValue<bool>());

        Assert.Equal(parameters.MultifdChannels > 0, capabilities["multifd"]);
        Assert.Equal(parameters.Xbzrle, capabilities["xbzrle"]);
        Assert.False(capabilities["auto-converge"]);
        Assert.Equal(parameters.PostCopy, capabilities["postcopy-ram"]);
    }

    [Fact]
    public void Mirror_OverlayIsTop_FullIsFull_WithSpeedAndKeptJob()
    {
        var top = MigrationQmp.Mirror(DiskTransfer.Overlay, DataRate.FromMebibytesPerSecond(1));
        var full = MigrationQmp.Mirror(DiskTransfer.Full, null);

        Assert.Equal("top", top["sync"]!.GetValue<string>());
        Assert.Equal(1L << 20, top["speed"]!.GetValue<long>());
        Assert.False(top["auto-dismiss"]!.GetValue<bool>());
        Assert.Equal("full", full["sync"]!.GetValue<string>());
        Assert.Equal(0, full["speed"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("10.1.2.3", 4444, "tcp:10.1.2.3:4444")]
    [InlineData("fd00::2", 4444, "tcp:[fd00::2]:4444")]
    public void Uri_BracketsIpv6(string host, int port, string expected) => Assert.Equal(expected, MigrationQmp.Uri(host, port));
}
