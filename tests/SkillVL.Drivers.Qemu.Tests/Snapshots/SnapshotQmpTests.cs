using System.Text.Json.Nodes;
using SkillVL.Drivers.Qemu.Snapshots;

namespace SkillVL.Drivers.Qemu.Tests.Snapshots;

public sealed class SnapshotQmpTests
{
    [Fact]
    public void SaveAndLoad_StoreTheMemoryOnTheVmsOneDisk()
    {
        Assert.Equal(
            """{"job-id":"skillvl-snapshot","tag":"before","vmstate":"disk0","devices":["disk0"]}""",
            SnapshotQmp.SaveOrLoad("before").ToJsonString());
        Assert.Equal("""{"job-id":"skillvl-snapshot","tag":"x","devices":["disk0"]}""", SnapshotQmp.Delete("x").ToJsonString());
        Assert.Equal("""{"device":"disk0","name":"d"}""", SnapshotQmp.DiskOnly("d").ToJsonString());
    }

    [Fact]
    public void ImageArguments_StateTheFormat_AndEscapeCommasInThePath()
    {
        Assert.Equal(
            ["snapshot", "--image-opts", "-a", "s1", "driver=qcow2,file.driver=file,file.filename=/d/a,,b/disk.qcow2"],
            SnapshotQmp.ImageArguments("-a", "s1", "/d/a,b/disk.qcow2"));
    }

    [Fact]
    public void Parse_ReadsQemuImgInfo_OldestFirst_RamWhenAMemoryStateExists()
    {
        var info = JsonNode.Parse("""
            {"snapshots":[
              {"id":"2","name":"later","vm-state-size":0,"date-sec":1765000100,"date-nsec":500000000,"vm-clock-sec":0,"vm-clock-nsec":0,"icount":-1},
              {"id":"1","name":"first","vm-state-size":94310584,"date-sec":1765000000,"date-nsec":0,"vm-clock-sec":3,"vm-clock-nsec":0}
            ],"format":"qcow2"}
            """);
        var list = SnapshotQmp.FromImageInfo(info);
        Assert.Equal(["first", "later"], list.Select(s => s.Name));
        Assert.True(list[0] is { WithRam: true, VmStateBytes: 94310584 });
        Assert.False(list[1].WithRam);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1765000100).AddMilliseconds(500), list[1].CreatedAt);
    }

    [Fact]
    public void FromNamedBlockNodes_TakesTheDiskNodeOnly()
    {
        var nodes = JsonNode.Parse("""
            [{"node-name":"disk0-file","image":{"snapshots":[{"name":"wrong","vm-state-size":0,"date-sec":1,"date-nsec":0}]}},
             {"node-name":"disk0","image":{"snapshots":[{"name":"right","vm-state-size":10,"date-sec":1,"date-nsec":0}]}}]
            """);
        Assert.Equal(["right"], SnapshotQmp.FromNamedBlockNodes(nodes).Select(s => s.Name));
        Assert.Empty(SnapshotQmp.FromNamedBlockNodes(JsonNode.Parse("[]")));
    }

    [Fact]
    public void FindJob_ReadsStatusAndError_OfOurJobOnly()
    {
        var jobs = JsonNode.Parse("""
            [{"id":"checkout-sync","status":"running"},
             {"id":"skillvl-snapshot","status":"concluded","error":"Device 'disk0' is writable but does not support snapshots"}]
            """);
        Assert.Equal(("concluded", "Device 'disk0' is writable but does not support snapshots"), SnapshotQmp.FindJob(jobs));
        Assert.Null(SnapshotQmp.FindJob(JsonNode.Parse("[]")));
    }
}
