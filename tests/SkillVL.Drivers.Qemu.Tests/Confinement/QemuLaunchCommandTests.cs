using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Tests.Fakes;

namespace SkillVL.Drivers.Qemu.Tests.Confinement;

public sealed class QemuLaunchCommandTests
{
    [Fact]
    public void Issue11_Unprivileged_DropsEverythingBeforeQemuRuns()
    {
        var options = TestOptions.Fixed();
        var identity = new QemuIdentity("skillvl-qemu", 999, 995, []);

        var (fileName, arguments) = QemuLaunchCommand.Build(options, identity, "/run/skillvl/vms/0123456789ab/qemu.log", ["-name", "web"]);

        Assert.Equal("setsid", fileName);
        Assert.Equal(
            [
                "--fork", "sh", "-c", "echo $$; exec \"$@\" </dev/null >>\"$0\" 2>&1", "/run/skillvl/vms/0123456789ab/qemu.log",
                "setpriv", "--reuid=999", "--regid=995", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                "--reset-env", "--", "qemu-system-x86_64", "-name", "web",
            ],
            arguments);
    }

    [Fact]
    public void DeviceGroups_AreTheOnlySupplementaryGroups()
    {
        var identity = new QemuIdentity("skillvl-qemu", 999, 995, [104, 108]);

        var (_, arguments) = QemuLaunchCommand.Build(TestOptions.Fixed(), identity, "/l", []);

        Assert.Contains("--groups=104,108", arguments);
        Assert.DoesNotContain("--clear-groups", arguments);
    }

    [Fact]
    public void RunAsRoot_NoSetpriv_StillDetached()
    {
        var options = TestOptions.Fixed();
        options.RunAsUser = "";

        var (fileName, arguments) = QemuLaunchCommand.Build(options, null, "/l", ["-S"]);

        Assert.Equal("setsid", fileName);
        Assert.DoesNotContain("setpriv", arguments);
        Assert.Equal(["qemu-system-x86_64", "-S"], arguments.Skip(5));
    }
}
