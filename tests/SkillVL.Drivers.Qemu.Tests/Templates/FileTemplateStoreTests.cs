using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Templates;

public sealed class FileTemplateStoreTests : IDisposable
{
    /// <summary>A standalone qcow2 header: what the tests' template disks are (the store inspects every disk).</summary>
    private static readonly byte[] Disk = Qcow2Headers.Make(length: 512);

    private readonly TempDirectory _root = new("svl-tpl");
    private readonly FakeCommandRunner _runner = new((_, arguments) => arguments[0] == "info"
        ? new CommandResult(0, """[{"virtual-size": 1048576, "format": "qcow2"}]""", "")
        : null);

    private readonly FileTemplateStore _store;

    public FileTemplateStoreTests()
    {
        var options = TestOptions.In(_root.Path);
        _store = new FileTemplateStore(
            options, new TemplateDiskInspector(options, _runner, NullLogger<TemplateDiskInspector>.Instance), NullLogger<FileTemplateStore>.Instance);
    }

    [Fact]
    public void ContentAddress_IsShaOfSortedNameShaLines_IndependentOfOrder()
    {
        var a = new Dictionary<string, string> { ["vmlinuz"] = new('1', 64), ["disk.qcow2"] = new('2', 64) };
        var b = new Dictionary<string, string> { ["disk.qcow2"] = new('2', 64), ["vmlinuz"] = new('1', 64) };
        var expected = Convert.ToHexStringLower(SHA256.HashData(
            Encoding.UTF8.GetBytes($"disk.qcow2 {new string('2', 64)}\nvmlinuz {new string('1', 64)}\n")));

        Assert.Equal(expected, FileTemplateStore.ContentAddress(a));
        Assert.Equal(expected, FileTemplateStore.ContentAddress(b));
    }

    [Fact]
    public async Task Import_CopiesUnderContentAddress_ListsAndFinds()
    {
        var source = WriteTemplate("src", corrupt: false);

        var image = await _store.ImportAsync(source, CancellationToken.None);

        Assert.Equal("tiny", image.Name);
        Assert.Equal(BootMethod.Kernel, image.Boot);
        Assert.Equal(128L * 1024 * 1024, image.DefaultMemoryBytes);
        Assert.Equal(1, image.DefaultCpus);
        Assert.Equal(Disk.Length + 6 + 4, image.SizeBytes);
        var directory = Path.Combine(_root.Path, "data", "templates", image.Sha256);
        Assert.Equal(Disk, await File.ReadAllBytesAsync(Path.Combine(directory, "disk.qcow2")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(directory, "disk.qcow2")));
        Assert.Equal([image], await _store.ListAsync(CancellationToken.None));

        var files = await _store.FindAsync(image.Sha256, CancellationToken.None);
        Assert.NotNull(files);
        Assert.Equal(Path.Combine(directory, "vmlinuz"), files.KernelPath);
        Assert.Equal(Path.Combine(directory, "initrd.img"), files.InitrdPath);
        Assert.Equal("console=ttyS0 root=/dev/vda", files.KernelCommandLine);
        Assert.Equal(Sha("kernel"), files.KernelSha256);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root.Path, "data", "templates"), ".import-*"));
    }

    [Fact]
    public async Task Import_Twice_IsANoOp()
    {
        var source = WriteTemplate("src", corrupt: false);

        var first = await _store.ImportAsync(source, CancellationToken.None);
        var second = await _store.ImportAsync(source, CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Single(await _store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Import_FileDoesNotMatchItsSha_FailsAndStoresNothing()
    {
        var source = WriteTemplate("src", corrupt: true);

        var error = await Assert.ThrowsAsync<DriverException>(() => _store.ImportAsync(source, CancellationToken.None));

        Assert.Contains("disk.qcow2", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.Empty(await _store.ListAsync(CancellationToken.None));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root.Path, "data", "templates")));
    }

    [Fact]
    public async Task Import_FileNameEscapesDirectory_Rejected()
    {
        var source = WriteTemplate("src", corrupt: false, extraFile: "../evil");

        await Assert.ThrowsAsync<DriverException>(() => _store.ImportAsync(source, CancellationToken.None));
    }

    [Theory]
    [InlineData("/etc/shadow", null, "has a backing file (/etc/shadow)")]
    [InlineData("json:{\"file\":{\"driver\":\"file\",\"filename\":\"/etc/shadow\"}}", null, "has a backing file (json:")]
    [InlineData(null, "/etc/shadow", "has an external data file (/etc/shadow)")]
    public async Task Issue11_Import_DiskNamingAHostFile_RefusedBeforeQemuImgOpensIt_NothingStored(string? backing, string? dataFile, string expected)
    {
        var source = WriteTemplate("src", corrupt: false, disk: Qcow2Headers.Make(backing: backing, dataFile: dataFile));

        var error = await Assert.ThrowsAsync<DriverException>(() => _store.ImportAsync(source, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls); // the header decided: qemu-img never saw a disk that names another file
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root.Path, "data", "templates")));
    }

    [Fact]
    public async Task Issue11_Import_InspectsTheStoredCopy_WithInfoAndCheck()
    {
        var image = await _store.ImportAsync(WriteTemplate("src", corrupt: false), CancellationToken.None);

        var stored = Path.Combine(_root.Path, "data", "templates");
        Assert.Equal(2, _runner.Calls.Count);
        Assert.StartsWith("qemu-img info -U -f qcow2 --output=json --backing-chain " + Path.Combine(stored, ".import-"), _runner.Calls[0], StringComparison.Ordinal);
        Assert.StartsWith("qemu-img check -U -f qcow2 --output=json " + Path.Combine(stored, ".import-"), _runner.Calls[1], StringComparison.Ordinal);
        Assert.Null(await _store.CheckAsync(image.Sha256, CancellationToken.None));
    }

    [Fact]
    public async Task Issue11_StoredDiskWithBackingFile_FindRefuses_CheckNamesIt_DeleteRemovesIt()
    {
        // As an older version would have left it: stored without inspection.
        var image = await _store.ImportAsync(WriteTemplate("src", corrupt: false), CancellationToken.None);
        var disk = Path.Combine(_root.Path, "data", "templates", image.Sha256, "disk.qcow2");
        File.SetUnixFileMode(disk, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(disk, Qcow2Headers.Make(backing: "/etc/shadow"));

        var error = await Assert.ThrowsAsync<DriverException>(() => _store.FindAsync(image.Sha256, CancellationToken.None));
        Assert.Contains("has a backing file (/etc/shadow)", error.Message, StringComparison.Ordinal);
        Assert.Contains("has a backing file (/etc/shadow)", await _store.CheckAsync(image.Sha256, CancellationToken.None), StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<DriverException>(() => _store.ImportAsync(WriteTemplate("src2", corrupt: false), CancellationToken.None));
        Assert.Contains("has a backing file", again.Message, StringComparison.Ordinal);

        await _store.DeleteAsync(image.Sha256, CancellationToken.None);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root.Path, "data", "templates")));
        Assert.Null(await _store.FindAsync(image.Sha256, CancellationToken.None));
    }

    [Fact]
    public async Task Find_UnknownTemplate_Null() =>
        Assert.Null(await _store.FindAsync(new string('f', 64), CancellationToken.None));

    public void Dispose() => _root.Dispose();

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string WriteTemplate(string name, bool corrupt, string? extraFile = null, byte[]? disk = null)
    {
        var directory = Directory.CreateDirectory(_root.Sub(name)).FullName;
        disk ??= Disk;
        File.WriteAllBytes(Path.Combine(directory, "disk.qcow2"), corrupt ? [.. disk, 0] : disk);
        File.WriteAllText(Path.Combine(directory, "vmlinuz"), "kernel");
        File.WriteAllText(Path.Combine(directory, "initrd.img"), "init");
        var files = new JsonObject
        {
            ["vmlinuz"] = Sha("kernel"),
            ["initrd.img"] = Sha("init"),
            ["disk.qcow2"] = Sha(disk),
        };
        if (extraFile is not null)
        {
            files[extraFile] = Sha("x");
        }

        var manifest = new JsonObject
        {
            ["name"] = "tiny",
            ["boot"] = "kernel",
            ["cmdline"] = "console=ttyS0 root=/dev/vda",
            ["defaultMemoryMiB"] = 128,
            ["defaultCpus"] = 1,
            ["kernelVersion"] = "6.1.0-56-cloud-amd64",
            ["files"] = files,
        };
        File.WriteAllText(Path.Combine(directory, "template.json"), manifest.ToJsonString());
        return directory;
    }
}
