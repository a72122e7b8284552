using System.Text.Json.Nodes;
using SkillVL.Core.Migration;
using SkillVL.Drivers.Qemu.Checkout;

namespace SkillVL.Drivers.Qemu.Tests.Checkout;

public sealed class CheckoutQmpTests
{
    // query-named-block-nodes (flat) of a checked-out VM as QEMU 7.2 answers it, trimmed to the fields read.
    private const string Nodes = """
        [{"node-name": "disk0", "dirty-bitmaps": [{"name": "other", "count": 5, "granularity": 65536, "recording": true,
           "busy": false, "persistent": false},
          {"name": "skillvl-checkout", "count": 67502080, "granularity": 65536, "recording": true, "busy": true,
           "persistent": true, "inconsistent": true}]},
         {"node-name": "disk0-file"},
         {"node-name": "checkout-sync-target", "dirty-bitmaps": [{"name": "skillvl-checkout", "count": 1}]}]
        """;

    [Fact]
    public void FindBitmap_ReadsOurBitmapOfTheDiskNodeOnly()
    {
        Assert.Equal(new BitmapState(67502080, Inconsistent: true, Busy: true), CheckoutQmp.FindBitmap(JsonNode.Parse(Nodes)));
        Assert.Null(CheckoutQmp.FindBitmap(JsonNode.Parse("""[{"node-name": "disk0", "dirty-bitmaps": []}]""")));
        Assert.Null(CheckoutQmp.FindBitmap(null));
    }

    /// <summary>qemu-img info of a closed image: the in-use flag without a QEMU means the last one did not close it.</summary>
    [Theory]
    [InlineData("""{"format-specific": {"type": "qcow2", "data": {"compat": "1.1", "bitmaps": [{"flags": ["auto"], "name": "skillvl-checkout", "granularity": 65536}]}}}""", false)]
    [InlineData("""{"format-specific": {"type": "qcow2", "data": {"compat": "1.1", "bitmaps": [{"flags": ["in-use", "auto"], "name": "skillvl-checkout", "granularity": 65536}]}}}""", true)]
    [InlineData("""{"format-specific": {"type": "qcow2", "data": {"compat": "1.1", "bitmaps": [{"flags": ["in-use"], "name": "someone-else", "granularity": 65536}]}}}""", null)]
    [InlineData("""{"format-specific": {"type": "qcow2", "data": {"compat": "1.1"}}}""", null)]
    public void BitmapInUseInImage_TellsAbsentCleanAndInconsistentApart(string info, bool? inUse)
    {
        Assert.Equal(inUse, CheckoutQmp.BitmapInUseInImage(JsonNode.Parse(info)));
    }

    [Fact]
    public void Backup_Incremental_UsesTheBitmapAndClearsItOnlyOnSuccess()
    {
        var backup = CheckoutQmp.Backup("job", "target", incremental: true, DataRate.FromMebibytesPerSecond(4));
        Assert.Equal("incremental", backup["sync"]!.GetValue<string>());
        Assert.Equal(CheckoutQmp.Bitmap, backup["bitmap"]!.GetValue<string>());
        Assert.Equal("on-success", backup["bitmap-mode"]!.GetValue<string>());
        Assert.Equal(4L << 20, backup["speed"]!.GetValue<long>());
        Assert.Equal("disk0", backup["device"]!.GetValue<string>());
        Assert.False(backup["auto-dismiss"]!.GetValue<bool>());
    }

    [Fact]
    public void Backup_WithoutTrustworthyBitmap_CopiesTheWholeOverlayOnly()
    {
        var backup = CheckoutQmp.Backup("job", "target", incremental: false, DataRate.Zero);
        Assert.Equal("top", backup["sync"]!.GetValue<string>());
        Assert.Null(backup["bitmap"]);
        Assert.Null(backup["bitmap-mode"]);
        Assert.Equal(0, backup["speed"]!.GetValue<long>());
    }

    [Fact]
    public void BitmapAdd_IsPersistentOnTheDiskNode()
    {
        var add = CheckoutQmp.BitmapAdd();
        Assert.True(add["persistent"]!.GetValue<bool>());
        Assert.Equal("disk0", add["node"]!.GetValue<string>());
    }

    [Fact]
    public void FindJob_ReadsProgressAndError()
    {
        var jobs = JsonNode.Parse("""
            [{"id": "checkout-sync", "type": "backup", "status": "concluded", "current-progress": 1048576, "total-progress": 33554432,
              "error": "Input/output error"}, {"id": "other", "status": "running"}]
            """);
        var job = CheckoutQmp.FindJob(jobs, CheckoutQmp.SyncJob);
        Assert.Equal(new BackupJob("concluded", 1 << 20, 32 << 20, "Input/output error"), job);
        Assert.True(job!.Ended);
        Assert.Null(CheckoutQmp.FindJob(jobs, CheckoutQmp.FinalJob));
    }

    [Fact]
    public void ExportProcess_HasNoMachineNoGuestAndTheSandbox_AndEscapesCommas()
    {
        var options = new QemuDriverOptions { DataDirectory = "/d", RuntimeDirectory = "/r", Sandbox = true };
        var paths = new VmPaths("0123456789ab", "/r/retained/0123456789ab", "/d/ret,ained/0123456789ab");
        var args = CheckoutQmp.ExportProcess(paths, options);
        Assert.Equal("none", args[args.ToList().IndexOf("-machine") + 1]);
        Assert.Contains("-sandbox", args);
        Assert.Contains("-S", args);
        Assert.DoesNotContain("-kernel", args);
        Assert.DoesNotContain(args, a => a.StartsWith("-device", StringComparison.Ordinal) || a.Contains("virtio", StringComparison.Ordinal));
        Assert.Contains("driver=file,node-name=disk0-file,filename=/d/ret,,ained/0123456789ab/disk.qcow2,cache.direct=off", args);
    }

    [Fact]
    public void PauseBeforeSwitchover_IsSetExplicitlyEitherWay()
    {
        foreach (var on in new[] { true, false })
        {
            var capability = CheckinTransfer.PauseBeforeSwitchover(on)["capabilities"]![0]!;
            Assert.Equal("pause-before-switchover", capability["capability"]!.GetValue<string>());
            Assert.Equal(on, capability["state"]!.GetValue<bool>());
        }
    }

    [Fact]
    public void RetainedExport_ToString_NeverShowsTheToken()
    {
        var export = new Core.Checkout.RetainedExport("10.0.0.1", 4242, "s3cr3t-token", "10.0.0.1");
        Assert.DoesNotContain("s3cr3t-token", export.ToString(), StringComparison.Ordinal);
        Assert.Contains("4242", export.ToString(), StringComparison.Ordinal);
    }
}
