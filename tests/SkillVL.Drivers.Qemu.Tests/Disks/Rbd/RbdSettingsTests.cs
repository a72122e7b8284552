using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Disks.Rbd;
using SkillVL.Drivers.Qemu.Processes;

namespace SkillVL.Drivers.Qemu.Tests.Disks.Rbd;

/// <summary>The RBD disk store's pure half (ADR 0055): arguments, validation, the errors' wording, keyring and rbd du parsing.</summary>
public sealed class RbdSettingsTests
{
    private static QemuDriverOptions Options()
    {
        var options = new QemuDriverOptions { DataDirectory = "/var/lib/skillvl", RuntimeDirectory = "/run/skillvl", InstanceId = "main" };
        new RbdDiskSettings("vmdisks", "/etc/ceph/ceph.conf", "skillvl", "/etc/ceph/ceph.client.skillvl.keyring").ApplyTo(options);
        return options;
    }

    [Fact]
    public void ToolArguments_BoundEveryCall_AndNameTheUserAndKeyring()
    {
        var options = Options();
        options.CephConnectTimeout = TimeSpan.FromSeconds(7);

        var arguments = RbdSettings.ToolArguments(options, "ls", "vmdisks");

        Assert.Equal(
            ["--conf", "/etc/ceph/ceph.conf", "--id", "skillvl", "--keyring", "/etc/ceph/ceph.client.skillvl.keyring",
             "--client-mount-timeout", "7", "--rados-mon-op-timeout", "7", "--rados-osd-op-timeout", "30", "ls", "vmdisks"],
            arguments);
    }

    [Fact]
    public void Names_TemplateBySha_VmById_QemuImgTargetCarriesTheTimeout()
    {
        var options = Options();

        Assert.Equal("tpl-abc", RbdSettings.TemplateImage("abc"));
        Assert.Equal("vm-0123456789ab", RbdSettings.VmImage("0123456789ab"));
        Assert.Equal(
            "rbd:vmdisks/tpl-abc:conf=/etc/ceph/ceph.conf:id=skillvl:keyring=/etc/ceph/ceph.client.skillvl.keyring:client_mount_timeout=15",
            RbdSettings.QemuImgTarget(options, "tpl-abc"));
    }

    [Fact]
    public void Blockdev_ReadsTheKeyFromTheSecretFile_NeverFromTheCommandLine()
    {
        var options = Options();
        var paths = VmPaths.For(options, "0123456789ab");

        var arguments = RbdSettings.BlockdevArguments(options, paths);

        Assert.Equal("secret,id=disk0-secret,file=/run/skillvl/vms/0123456789ab/ceph.secret,format=base64", arguments[1]);
        Assert.Contains("driver=rbd,node-name=disk0-file,pool=vmdisks,image=vm-0123456789ab,", arguments[3], StringComparison.Ordinal);
        Assert.Contains("key-secret=disk0-secret", arguments[3], StringComparison.Ordinal);
        Assert.DoesNotContain(arguments, a => a.Contains("key=", StringComparison.Ordinal) || a.Contains("keyring", StringComparison.Ordinal));
    }

    [Fact]
    public void AcceleratorProbe_OnAnRbdNode_BootsItsLocalQcow2Overlay()
    {
        var options = Options();
        var paths = VmPaths.For(options, "0123456789ab");
        var spec = new Core.Compute.VmSpec("0123456789ab", "kvm-probe", "abc", 1, 128L << 20, [], "probe");
        var template = new Qemu.Templates.TemplateFiles("abc", Core.Templates.BootMethod.Disk, "/t/disk.qcow2", null, null, null, null);

        var probe = Qemu.CommandLine.QemuCommandLineBuilder.Build(spec, template, paths, Qemu.Accelerators.QemuAccelerator.Kvm, options, fileDisk: true);
        var vm = Qemu.CommandLine.QemuCommandLineBuilder.Build(spec, template, paths, Qemu.Accelerators.QemuAccelerator.Kvm, options);

        Assert.Contains(probe, a => a.StartsWith("driver=file,", StringComparison.Ordinal));
        Assert.DoesNotContain(probe, a => a.Contains("driver=rbd", StringComparison.Ordinal));
        Assert.Contains(vm, a => a.StartsWith("driver=rbd,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "RbdPool")]
    [InlineData("-bad", "RbdPool")]
    [InlineData("a/b", "RbdPool")]
    public void Validator_RefusesPoolThatIsNoName(string pool, string field)
    {
        var options = Options();
        options.RbdPool = pool;

        var result = new QemuDriverOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith(field, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_NamesEveryOffendingRbdField_AndAnUnknownStore()
    {
        var options = Options();
        options.CephUser = "client.skillvl";
        options.CephConf = "relative.conf";
        options.CephKeyring = "/etc/ceph/a:b";
        options.CephConnectTimeout = TimeSpan.Zero;

        var failures = new QemuDriverOptionsValidator().Validate(null, options).Failures!;

        foreach (var field in new[] { "CephUser", "CephConf", "CephKeyring", "CephConnectTimeout" })
        {
            Assert.Contains(failures, f => f.StartsWith(field, StringComparison.Ordinal));
        }

        options.DiskStore = "nfs";
        Assert.Contains(new QemuDriverOptionsValidator().Validate(null, options).Failures!, f => f.StartsWith("DiskStore", StringComparison.Ordinal));
        Assert.True(new QemuDriverOptionsValidator().Validate(null, Options()).Succeeded);
    }

    [Fact]
    public void Describe_SaysDeadMonitorAndMissingPoolInWords()
    {
        var options = Options();
        var dead = new CommandResult(110, "", "2026 monclient(hunting): authenticate timed out after 15\nrbd: couldn't connect to the cluster!\n");
        var missing = new CommandResult(2, "", "rbd: error opening pool 'vmdisks': (2) No such file or directory\n");

        Assert.Equal(
            "Probe: the Ceph monitors in /etc/ceph/ceph.conf did not answer within 15 s (rbd: couldn't connect to the cluster!).",
            RbdSettings.Describe(options, "Probe", dead));
        Assert.StartsWith("Probe: the Ceph pool 'vmdisks' does not exist", RbdSettings.Describe(options, "Probe", missing), StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseOnRbd_NamesRbd_OnlyOnAnRbdNode()
    {
        var refusal = Assert.Throws<DriverException>(() => RbdSettings.RefuseOnRbd(Options(), "Check-out"));
        Assert.Contains("Ceph RBD", refusal.Message, StringComparison.Ordinal);
        Assert.False(refusal.IsTransient);
        RbdSettings.RefuseOnRbd(new QemuDriverOptions(), "Check-out");
    }

    [Fact]
    public void Keyring_FindsTheEntitysKey_AndRefusesWhatIsNoKey()
    {
        const string Keyring = "[client.admin]\n\tkey = QURNSU4=\n[client.skillvl]\n\tkey = AQBkZmVmAAAAABAAx9r3Vt+/==\n\tcaps mon = \"profile rbd\"\n";

        Assert.Equal("AQBkZmVmAAAAABAAx9r3Vt+/==", CephKeyring.FindKey(Keyring, "client.skillvl"));
        Assert.Equal("QURNSU4=", CephKeyring.FindKey(Keyring, "client.admin"));
        Assert.Null(CephKeyring.FindKey(Keyring, "client.other"));
        Assert.Null(CephKeyring.FindKey("[client.skillvl]\nkey = a,file=/etc/shadow\n", "client.skillvl"));
    }

    [Fact]
    public void UsedBytes_SumsTheRowsOfRbdDu()
    {
        Assert.Equal(12582912, RbdDiskStore.ParseUsedBytes(
            """{"images":[{"name":"vm-1","id":"10","provisioned_size":268435456,"used_size":12582912}],"total_provisioned_size":268435456,"total_used_size":12582912}"""));
        Assert.Throws<DriverException>(() => RbdDiskStore.ParseUsedBytes("[]"));
    }

    [Fact]
    public void FsidArguments_AreBoundedAndAsTheNodesUser()
    {
        var options = Options();
        options.CephConnectTimeout = TimeSpan.FromSeconds(7);

        Assert.Equal(
            ["--conf", "/etc/ceph/ceph.conf", "--id", "skillvl", "--keyring", "/etc/ceph/ceph.client.skillvl.keyring", "--connect-timeout", "7",
             "--client-mount-timeout", "7", "--rados-mon-op-timeout", "7", "fsid"],
            RbdSettings.FsidArguments(options));
    }

    [Theory]
    [InlineData("6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab\n", "6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab")]
    [InlineData("6F1C2D3E-0A4B-4C5D-8E9F-0123456789AB", "6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab")]
    [InlineData("", null)]
    [InlineData("{\"fsid\":\"6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab\"}", null)]
    [InlineData("6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab\nsomething else", null)]
    public void Storage_IsTheFsidAndPool_OrNullForAnythingElse(string printed, string? fsid)
    {
        var storage = RbdSettings.Storage(Options(), printed);

        Assert.Equal(fsid is null ? null : new Core.Nodes.NodeStorage("rbd", fsid, "vmdisks"), storage);
    }

    [Theory]
    [InlineData("{\"watchers\":[]}", 0)]
    [InlineData("{\"watchers\":[{\"address\":\"127.0.0.1:0/1\",\"client\":4181,\"cookie\":140}]}", 1)]
    [InlineData("{}", 0)]
    public void Watchers_CountsTheClientsThatHaveTheImageOpen(string json, int expected) =>
        Assert.Equal(expected, RbdSettings.Watchers(json));

    [Fact]
    public void Watchers_UnreadableJson_SaysSo() =>
        Assert.Contains("rbd status printed JSON", Assert.Throws<DriverException>(() => RbdSettings.Watchers("nope")).Message, StringComparison.Ordinal);
}
