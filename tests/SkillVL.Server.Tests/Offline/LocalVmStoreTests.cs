using Microsoft.Extensions.Time.Testing;
using SkillVL.Agent.Local;
using SkillVL.Core.Compute;

namespace SkillVL.Server.Tests.Offline;

public sealed class LocalVmStoreTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("skillvl-store-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void SetShouldRun_IsKeptAcrossAgentRestarts_WithTheSpec()
    {
        var spec = Spec("a1a1a1a1a1a1", "home", "vm");
        new LocalVmStore(_data, _time).SetShouldRun(spec.Id, shouldRun: true, "server", spec);

        var record = new LocalVmStore(_data, _time).Find(spec.Id);

        Assert.NotNull(record);
        Assert.True(record.ShouldRun);
        Assert.Equal(spec.SpecHash, record.Spec.SpecHash);
        Assert.Equal(spec.Nics[0], record.Spec.Nics[0]);
        Assert.Equal("server", record.ChangedBy);
    }

    [Fact]
    public void Remember_KeepsWhetherItShouldRun_AndUpdatesTheSpec()
    {
        var store = new LocalVmStore(_data, _time);
        var spec = Spec("a1a1a1a1a1a1", "home", "vm");
        store.SetShouldRun(spec.Id, shouldRun: true, "server", spec);

        store.Remember(spec with { SpecHash = "new" });

        Assert.True(store.Find(spec.Id)!.ShouldRun);
        Assert.Equal("new", store.Find(spec.Id)!.Spec.SpecHash);
    }

    [Fact]
    public void SetShouldRun_OfAnUnknownVmWithoutSpec_IsFalse()
    {
        Assert.False(new LocalVmStore(_data, _time).SetShouldRun("b2b2b2b2b2b2", shouldRun: true, "uid 0"));
    }

    [Fact]
    public void Resolve_ByRoomAndName_ByUniqueName_ById_NotByAmbiguousName()
    {
        var store = new LocalVmStore(_data, _time);
        foreach (var spec in new[] { Spec("a1a1a1a1a1a1", "home", "vm"), Spec("b2b2b2b2b2b2", "lab", "vm"), Spec("c3c3c3c3c3c3", "lab", "peer") })
        {
            store.Remember(spec);
        }

        Assert.Equal("b2b2b2b2b2b2", store.Resolve("lab/vm")?.Spec.Id);
        Assert.Equal("c3c3c3c3c3c3", store.Resolve("peer")?.Spec.Id);
        Assert.Equal("a1a1a1a1a1a1", store.Resolve("a1a1a1a1a1a1")?.Spec.Id);
        Assert.Null(store.Resolve("vm"));
        Assert.Null(store.Resolve("home/peer"));
    }

    [Fact]
    public void Forget_RemovesTheRecord_AndFilesArePrivate()
    {
        var store = new LocalVmStore(_data, _time);
        store.Remember(Spec("a1a1a1a1a1a1", "home", "vm"));
        var file = Path.Combine(_data, "local", "vms", "a1a1a1a1a1a1.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));

        store.Forget("a1a1a1a1a1a1");

        Assert.Null(store.Find("a1a1a1a1a1a1"));
        Assert.Empty(store.All());
    }

    [Fact]
    public void Find_WithAPathInTheId_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LocalVmStore(_data, _time).Find("../../etc/x"));
    }

    private static VmSpec Spec(string id, string room, string name) =>
        new(id, name, new string('a', 64), 1, 64 << 20, [new NicSpec("n" + id[1..], "net000000001", "52:54:00:00:00:01", 1450, "10.0.0.10/24")], "hash-" + id, room);

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
