using SkillVL.Core.Compute;
using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu.Accelerators;
using SkillVL.Drivers.Qemu.CommandLine;
using SkillVL.Drivers.Qemu.Templates;
using SkillVL.Drivers.Qemu.Tests.Fakes;

namespace SkillVL.Drivers.Qemu.Tests.CommandLine;

public sealed class QemuCommandLineBuilderTests
{
    private static readonly TemplateFiles Template = new(
        new string('a', 64), BootMethod.Kernel, "/t/disk.qcow2", "/t/vmlinuz", "/t/initrd.img", "console=ttyS0", null);

    [Fact]
    public void TapName_IsPrefixPlusNicId_FifteenCharacters()
    {
        var tap = QemuCommandLineBuilder.TapName("0123456789ab");

        Assert.Equal("svt0123456789ab", tap);
        Assert.Equal(15, tap.Length);
    }

    [Theory]
    [InlineData("0123456789AB")]
    [InlineData("0123456789a")]
    [InlineData("eth0")]
    public void TapName_RejectsIdsThatAreNotShortIds(string nicId) =>
        Assert.Throws<ArgumentException>(() => QemuCommandLineBuilder.TapName(nicId));

    [Theory]
    [InlineData(128L * 1024 * 1024, 128)]
    [InlineData((128L * 1024 * 1024) + 1, 129)]
    [InlineData(1024L * 1024 * 1024 * 4, 4096)]
    public void MemoryMiB_RoundsUp(long bytes, long expected) =>
        Assert.Equal(expected, QemuCommandLineBuilder.MemoryMiB(bytes));

    [Fact]
    public void Build_BadMac_Throws()
    {
        var spec = Spec([new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:zz:00:01", 1500, null)]);

        Assert.Throws<ArgumentException>(() => Build(spec));
    }

    [Fact]
    public void Build_RepeatedNicIds_Throws()
    {
        var nic = new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:00:00:01", 1500, null);

        Assert.Throws<ArgumentException>(() => Build(Spec([nic, nic with { MacAddress = "52:54:00:00:00:02" }])));
    }

    [Fact]
    public void Build_NeverOpensTcpVnc()
    {
        var arguments = Build(Spec([]));

        var vnc = arguments[arguments.ToList().IndexOf("-vnc") + 1];
        Assert.StartsWith("unix:", vnc, StringComparison.Ordinal);
        // SPICE too (ADR 0056): a unix socket only, so ticketing can be off.
        var spice = arguments[arguments.ToList().IndexOf("-spice") + 1];
        Assert.StartsWith("unix=on,addr=/", spice, StringComparison.Ordinal);
        Assert.DoesNotContain("port=", spice, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CommaInName_IsEscapedForQemu()
    {
        var arguments = Build(Spec([]) with { Name = "a,b" });

        Assert.Equal("a,,b", arguments[1]);
    }

    [Fact]
    public void Build_Tcg_BoundsTranslationCache()
    {
        var options = TestOptions.Fixed();
        options.TcgTranslationBlockCacheMiB = 64;
        var spec = Spec([]);

        var arguments = QemuCommandLineBuilder.Build(spec, Template, VmPaths.For(options, spec.Id), QemuAccelerator.Tcg, options);

        Assert.Contains("tcg,tb-size=64", arguments);
    }

    [Fact]
    public void Issue11_QemuRunsUnderTheSeccompSandbox_AndDoesNotDaemonizeItself()
    {
        var arguments = Build(Spec([]));

        var sandbox = arguments.ToList().IndexOf("-sandbox");
        Assert.True(sandbox >= 0);
        Assert.Equal("on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny", arguments[sandbox + 1]);
        // -daemonize calls setsid() and fork(), which the sandbox punishes with SIGSYS; -runas would call setuid().
        Assert.DoesNotContain("-daemonize", arguments);
        Assert.DoesNotContain("-runas", arguments);
        // Paused until the launch has handed QEMU's sockets to root (then QMP cont).
        Assert.Contains("-S", arguments);
    }

    [Theory]
    [InlineData(QemuAccelerator.Tcg, null, "max")]
    [InlineData(QemuAccelerator.Kvm, null, "host")]
    [InlineData(QemuAccelerator.Tcg, "qemu64-v1", "qemu64-v1")]
    [InlineData(QemuAccelerator.Kvm, "Nehalem-v2", "Nehalem-v2")]
    public void Issue12_VersionedMachineType_AndTheConfiguredCpuModel(QemuAccelerator accelerator, string? cpuModel, string expectedCpu)
    {
        var options = TestOptions.Fixed();
        options.MachineTypeInUse = "pc-i440fx-7.2";
        options.CpuModel = cpuModel;
        var spec = Spec([]);

        var arguments = QemuCommandLineBuilder.Build(spec, Template, VmPaths.For(options, spec.Id), accelerator, options).ToList();

        Assert.Equal("pc-i440fx-7.2", arguments[arguments.IndexOf("-machine") + 1]);
        Assert.Equal(expectedCpu, arguments[arguments.IndexOf("-cpu") + 1]);
    }

    [Fact]
    public void Build_CloudInitTemplate_AttachesTheSeedReadOnly_AfterTheRootDisk()
    {
        var options = TestOptions.Fixed();
        var spec = Spec([]);
        var paths = VmPaths.For(options, spec.Id);
        var disk = Template with { Boot = BootMethod.Disk, KernelPath = null, InitrdPath = null, KernelCommandLine = null };

        var plain = QemuCommandLineBuilder.Build(spec, disk, paths, QemuAccelerator.Tcg, options).ToList();
        var seeded = QemuCommandLineBuilder.Build(spec, disk with { CloudInit = true }, paths, QemuAccelerator.Tcg, options).ToList();

        Assert.DoesNotContain(plain, a => a.Contains("seed0", StringComparison.Ordinal));
        Assert.Contains($"driver=file,node-name=seed0-file,filename={paths.CloudInitSeed},read-only=on", seeded);
        Assert.Contains("driver=raw,node-name=seed0,file=seed0-file,read-only=on", seeded);
        var root = seeded.IndexOf("virtio-blk-pci,drive=disk0,id=virtio-disk0,bootindex=0");
        var seed = seeded.IndexOf("virtio-blk-pci,drive=seed0,id=virtio-seed0");
        Assert.True(root >= 0 && seed > root, "the seed disk follows the root disk, so the root stays /dev/vda");
        Assert.DoesNotContain("-kernel", seeded);
    }

    /// <summary>A VM moves between a bridge node and a stream-mode client (ADR 0052): QEMU migrates the NIC devices' state,
    /// so the incoming command line of either mode has the same devices; only the netdev backends differ.</summary>
    [Fact]
    public void BuildIncoming_BridgeAndStreamMode_SameNicDevices_OnlyTheBackendDiffers()
    {
        var spec = Spec(
        [
            new NicSpec("000000000001", "aaaaaaaaaaaa", "52:54:00:00:00:01", 1450, null),
            new NicSpec("000000000002", "bbbbbbbbbbbb", "52:54:00:00:00:02", 9000, null),
        ]);
        var bridge = TestOptions.Fixed();
        var stream = TestOptions.Fixed();
        stream.VmNetwork = QemuDriverOptions.StreamNetworking;

        var onBridge = QemuCommandLineBuilder.BuildIncoming(spec, Template, VmPaths.For(bridge, spec.Id), QemuAccelerator.Tcg, bridge);
        var onStream = QemuCommandLineBuilder.BuildIncoming(spec, Template, VmPaths.For(stream, spec.Id), QemuAccelerator.Tcg, stream);

        Assert.Equal(onBridge.Count, onStream.Count);
        var differing = Enumerable.Range(0, onBridge.Count).Where(i => onBridge[i] != onStream[i]).ToList();
        Assert.Equal(2, differing.Count);
        Assert.All(differing, i => Assert.Equal("-netdev", onBridge[i - 1]));
        // The tap without a vnet header: QEMU migrates that flag with the device, and a stream backend has none.
        Assert.Equal("tap,id=net0,ifname=svt000000000001,script=no,downscript=no,vnet_hdr=off", onBridge[differing[0]]);
        Assert.Equal("stream,id=net1,server=on,addr.type=unix,addr.path=/run/skillvl/vms/0123456789ab/nic-000000000002.sock", onStream[differing[1]]);
        Assert.Equal(["-incoming", "defer"], onStream.TakeLast(2));
    }

    private static IReadOnlyList<string> Build(VmSpec spec)
    {
        var options = TestOptions.Fixed();
        return QemuCommandLineBuilder.Build(spec, Template, VmPaths.For(options, spec.Id), QemuAccelerator.Tcg, options);
    }

    private static VmSpec Spec(IReadOnlyList<NicSpec> nics) =>
        new("0123456789ab", "vm", new string('a', 64), 1, 128L * 1024 * 1024, nics, "h");
}
