using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Disks;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Disks;

public sealed class QcowImageToolTests
{
    /// <summary>Verbatim from qemu-img 7.2 for a linked clone of the tiny template.</summary>
    private const string LinkedCloneInfo = """
        {
            "backing-filename-format": "qcow2",
            "virtual-size": 268435456,
            "filename": "/tmp/mq/disk.qcow2",
            "cluster-size": 65536,
            "format": "qcow2",
            "actual-size": 593920,
            "format-specific": {
                "type": "qcow2",
                "data": {
                    "compat": "1.1",
                    "compression-type": "zlib",
                    "lazy-refcounts": false,
                    "refcount-bits": 16,
                    "corrupt": false,
                    "extended-l2": false
                }
            },
            "full-backing-filename": "/tmp/svl-tiny/disk.qcow2",
            "backing-filename": "/tmp/svl-tiny/disk.qcow2",
            "dirty-flag": false
        }
        """;

    [Fact]
    public void ParseInfo_LinkedClone_ReadsSizesAndBackingFile()
    {
        var info = QcowImageTool.ParseInfo(LinkedCloneInfo);

        Assert.Equal(new QcowImageInfo("qcow2", 268435456, 593920, "/tmp/svl-tiny/disk.qcow2", "qcow2"), info);
    }

    [Fact]
    public void ParseInfo_StandaloneImage_HasNoBackingFile()
    {
        var info = QcowImageTool.ParseInfo("""{"virtual-size": 1048576, "filename": "a.raw", "format": "raw", "actual-size": 4096, "dirty-flag": false}""");

        Assert.Null(info.BackingFile);
        Assert.Equal("raw", info.Format);
    }

    [Fact]
    public void ParseInfo_Garbage_ThrowsDriverException() =>
        Assert.Throws<DriverException>(() => QcowImageTool.ParseInfo("qemu-img: Could not open"));

    [Fact]
    public void CreateArguments_StatesBackingFormatAndAbsoluteBase() =>
        Assert.Equal(
            ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "/data/templates/x/disk.qcow2", "/data/vms/y/disk.qcow2.tmp"],
            QcowImageTool.CreateArguments("/data/templates/x/disk.qcow2", "/data/vms/y/disk.qcow2.tmp"));

    [Fact]
    public async Task CreateLinkedClone_QemuImgFails_ThrowsWithStderrAndLeavesNoFile()
    {
        using var directory = new TempDirectory();
        var baseImage = directory.Sub("base.qcow2");
        await File.WriteAllTextAsync(baseImage, "not really qcow2");
        var runner = new FakeCommandRunner((_, _) => new CommandResult(1, "", "qemu-img: Image is not in qcow2 format"));
        var tool = new QcowImageTool(TestOptions.In(directory.Path), runner, NullLogger<QcowImageTool>.Instance);

        var error = await Assert.ThrowsAsync<DriverException>(
            () => tool.CreateLinkedCloneAsync(baseImage, directory.Sub("vm/disk.qcow2"), CancellationToken.None));

        Assert.Contains("not in qcow2 format", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(directory.Sub("vm/disk.qcow2")));
    }

    [Fact]
    public async Task CreateLinkedClone_OverlayExists_DoesNothing()
    {
        using var directory = new TempDirectory();
        await File.WriteAllTextAsync(directory.Sub("disk.qcow2"), "existing");
        var runner = new FakeCommandRunner();
        var tool = new QcowImageTool(TestOptions.In(directory.Path), runner, NullLogger<QcowImageTool>.Instance);

        await tool.CreateLinkedCloneAsync("/nonexistent/base.qcow2", directory.Sub("disk.qcow2"), CancellationToken.None);

        Assert.Empty(runner.Calls);
    }
}
