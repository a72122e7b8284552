using SkillVL.Core.Compute;
using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.Drivers.Qemu.Tests.Fakes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.CommandLine;

/// <summary>
/// Pins QEMU command lines in Golden/*.args (one argument per line), as qemu-server's cfg2cmd tests do.
/// After an intended change, run with UPDATE_GOLDEN=1 and review the diff of the golden files.
/// </summary>
public sealed class QemuCommandLineBuilderGoldenTests
{
    private const string TemplateSha = "3f0c9a5d0b7e4c1a2f6d8e9b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";

    public static TheoryData<string> Cases => ["tcg-1nic", "tcg-3nic", "tcg-0nic", "kvm-1nic", "tcg-diskboot-1nic", "tcg-1nic-nosandbox", "tcg-3nic-stream", "tcg-1nic-rbd"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Build_MatchesGoldenFile(string name)
    {
        var (spec, template, accelerator) = Case(name);
        var options = TestOptions.Fixed();
        // Without QEMU's seccomp sandbox (QemuDriverOptions.Sandbox off): only for measurements against it.
        options.Sandbox = name != "tcg-1nic-nosandbox";
        // Stream mode (ADR 0052): each NIC a unix socket QEMU listens on, no tap.
        options.VmNetwork = name.EndsWith("-stream", StringComparison.Ordinal) ? QemuDriverOptions.StreamNetworking : QemuDriverOptions.BridgeNetworking;
        // RBD disks (ADR 0055): QEMU's rbd driver, the key in a secret file, never on the command line.
        if (name.EndsWith("-rbd", StringComparison.Ordinal))
        {
            new Qemu.Disks.Rbd.RbdDiskSettings("vmdisks", "/etc/ceph/ceph.conf", "skillvl", "/etc/ceph/ceph.client.skillvl.keyring").ApplyTo(options);
        }

        var arguments = QemuCommandLineBuilder.Build(spec, template, VmPaths.For(options, spec.Id), accelerator, options);
        var actual = string.Join('\n', arguments) + "\n";

        var sourceFile = Path.Combine(RepositoryRoot.Find(), "tests", "SkillVL.Drivers.Qemu.Tests", "Golden", name + ".args");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(sourceFile, actual);
        }

        var goldenFile = Path.Combine(AppContext.BaseDirectory, "Golden", name + ".args");
        var expected = File.Exists(sourceFile) ? File.ReadAllText(sourceFile) : File.ReadAllText(goldenFile);
        Assert.Equal(expected, actual);
    }

    private static (VmSpec Spec, TemplateFiles Template, QemuAccelerator Accelerator) Case(string name)
    {
        var kernelTemplate = new TemplateFiles(
            TemplateSha,
            BootMethod.Kernel,
            $"/var/lib/skillvl/templates/{TemplateSha}/disk.qcow2",
            $"/var/lib/skillvl/templates/{TemplateSha}/vmlinuz",
            $"/var/lib/skillvl/templates/{TemplateSha}/initrd.img",
            "console=tty0 console=ttyS0,115200 root=/dev/vda rootfstype=ext4 rw quiet loglevel=3 panic=-1",
            "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275");
        var diskTemplate = new TemplateFiles(
            TemplateSha, BootMethod.Disk, $"/var/lib/skillvl/templates/{TemplateSha}/disk.qcow2", null, null, null, null);
        NicSpec Nic(int i, string network) =>
            new($"00000000000{i}", network, $"52:54:00:12:34:{i:00}", 1450, $"10.0.1.{10 + i}/24");
        var one = new[] { Nic(1, "aaaaaaaaaaaa") };
        var three = new[] { Nic(1, "aaaaaaaaaaaa"), Nic(2, "bbbbbbbbbbbb"), Nic(3, "aaaaaaaaaaaa") };
        return name switch
        {
            "tcg-1nic" or "tcg-1nic-nosandbox" or "tcg-1nic-rbd" => (Spec("web", 1, 128, one), kernelTemplate, QemuAccelerator.Tcg),
            "tcg-3nic" or "tcg-3nic-stream" => (Spec("router", 2, 256, three), kernelTemplate, QemuAccelerator.Tcg),
            "tcg-0nic" => (Spec("lonely", 1, 128, []), kernelTemplate, QemuAccelerator.Tcg),
            "kvm-1nic" => (Spec("web", 1, 128, one), kernelTemplate, QemuAccelerator.Kvm),
            "tcg-diskboot-1nic" => (Spec("desktop,1", 2, 1024, one), diskTemplate, QemuAccelerator.Tcg),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    private static VmSpec Spec(string name, int cpus, long memoryMiB, IReadOnlyList<NicSpec> nics) =>
        new("0123456789ab", name, TemplateSha, cpus, memoryMiB * 1024 * 1024, nics, "spec-hash");
}
