using Microsoft.Extensions.Logging.Abstractions;
using SkillVL.Core.Errors;
using SkillVL.Drivers.Qemu.Confinement;
using SkillVL.Drivers.Qemu.Processes;
using SkillVL.Drivers.Qemu.Tests.Fakes;

namespace SkillVL.Drivers.Qemu.Tests.Confinement;

public sealed class QemuConfinementTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "svl-conf-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task RunAsRoot_DoesNothing()
    {
        var options = TestOptions.In(_root);
        options.RunAsUser = "";
        var runner = new FakeCommandRunner();

        var identity = await new QemuConfinement(options, runner, NullLogger.Instance, devices: []).EnsureAsync(CancellationToken.None);

        Assert.Null(identity);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task Issue11_MissingUser_NotAllowedToCreate_FailsNamingIt()
    {
        var options = TestOptions.In(_root);
        options.CreateRunAsUser = false;
        var runner = new FakeCommandRunner((file, _) => file == "getent" ? new CommandResult(2, "", "") : null);

        var error = await Assert.ThrowsAsync<DriverException>(
            () => new QemuConfinement(options, runner, NullLogger.Instance, devices: []).EnsureAsync(CancellationToken.None));

        Assert.Contains("'skillvl-qemu' does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(runner.Calls, c => c.StartsWith("useradd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Issue11_MissingUser_IsCreatedAsASystemUserWithoutLogin()
    {
        var options = TestOptions.In(_root);
        var created = false;
        var runner = new FakeCommandRunner((file, arguments) => file switch
        {
            "getent" => created ? new CommandResult(0, "skillvl-qemu:x:999:995::/nonexistent:/usr/sbin/nologin\n", "") : new CommandResult(2, "", ""),
            "useradd" => Create(),
            "stat" => new CommandResult(0, string.Concat(arguments.Skip(4).Select(p => $"0 0 755 {p}\n")), ""),
            _ => null,
        });
        CommandResult Create()
        {
            created = true;
            return new CommandResult(0, "", "");
        }

        var identity = await new QemuConfinement(options, runner, NullLogger.Instance, devices: []).EnsureAsync(CancellationToken.None);

        Assert.Equal(new QemuIdentity("skillvl-qemu", 999, 995, []), identity! with { SupplementaryGroups = [] });
        Assert.Contains(
            "useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group skillvl-qemu", runner.Calls);
    }

    [Fact]
    public async Task Issue11_UserThatIsRoot_IsRefused()
    {
        var options = TestOptions.In(_root);
        var runner = new FakeCommandRunner((file, _) => file == "getent" ? new CommandResult(0, "toor:x:0:0::/root:/bin/sh\n", "") : null);

        var error = await Assert.ThrowsAsync<DriverException>(
            () => new QemuConfinement(options, runner, NullLogger.Instance, devices: []).EnsureAsync(CancellationToken.None));

        Assert.Contains("uid 0", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
