using SkillVL.Drivers.Qemu.Processes;
using SkillVL.TestUtilities;

namespace SkillVL.Drivers.Qemu.Tests.Processes;

public sealed class ProcFsTests : IDisposable
{
    private readonly TempDirectory _proc = new("svl-proc");

    [Fact]
    public void IsLiveProcessOf_ArgvNamesRuntimeDirectory_True()
    {
        FakeProcess(4242, ["qemu-system-x86_64", "-pidfile", "/run/skillvl/vms/0123456789ab/qemu.pid"], 'S');

        Assert.True(new ProcFs(_proc.Path).IsLiveProcessOf(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void IsLiveProcessOf_PidReusedByAnotherProgram_False()
    {
        FakeProcess(4242, ["/usr/bin/python3", "server.py"], 'S');

        Assert.False(new ProcFs(_proc.Path).IsLiveProcessOf(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void IsLiveProcessOf_OtherVmWithCommonPrefix_False()
    {
        // "/vms/0123456789ab" must not match "/vms/0123456789abc..." style prefixes.
        FakeProcess(4242, ["qemu-system-x86_64", "-pidfile", "/run/skillvl/vms/0123456789abX/qemu.pid"], 'S');

        Assert.False(new ProcFs(_proc.Path).IsLiveProcessOf(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void IsLiveProcessOf_Zombie_False()
    {
        FakeProcess(4242, ["qemu-system-x86_64", "-pidfile", "/run/skillvl/vms/0123456789ab/qemu.pid"], 'Z');

        Assert.False(new ProcFs(_proc.Path).IsLiveProcessOf(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void IsLiveProcessOf_NoSuchProcess_False() =>
        Assert.False(new ProcFs(_proc.Path).IsLiveProcessOf(999999, "/run/skillvl/vms/0123456789ab"));

    [Fact]
    public void HasExited_KilledButStillClosingFiles_False()
    {
        // After SIGKILL the kernel frees the memory (cmdline reads empty) before it closes the files.
        FakeProcess(4242, [], 'R');

        Assert.False(new ProcFs(_proc.Path).HasExited(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Theory]
    [InlineData('Z', true)]
    [InlineData('S', false)]
    public void HasExited_OurQemu_TrueOnlyAsZombie(char state, bool expected)
    {
        FakeProcess(4242, ["qemu-system-x86_64", "-pidfile", "/run/skillvl/vms/0123456789ab/qemu.pid"], state);

        Assert.Equal(expected, new ProcFs(_proc.Path).HasExited(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void HasExited_ZombieLeaderWhileOtherThreadsStillExit_False()
    {
        // SIGKILL: the leader thread can be a zombie while QEMU's other threads still hold the file table (and
        // the disk lock); a new QEMU started then fails with 'Failed to get "write" lock'.
        FakeProcess(4242, [], 'Z', tasks: 3);

        Assert.False(new ProcFs(_proc.Path).HasExited(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void HasExited_ZombieLeaderIsLastTask_True()
    {
        FakeProcess(4242, [], 'Z', tasks: 1);

        Assert.True(new ProcFs(_proc.Path).HasExited(4242, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void HasExited_PidReusedOrGone_True()
    {
        FakeProcess(4242, ["/usr/sbin/sshd"], 'S');

        Assert.True(new ProcFs(_proc.Path).HasExited(4242, "/run/skillvl/vms/0123456789ab"));
        Assert.True(new ProcFs(_proc.Path).HasExited(999999, "/run/skillvl/vms/0123456789ab"));
    }

    [Fact]
    public void ReadRssBytes_ReadsVmRssInKiB()
    {
        FakeProcess(4242, ["qemu"], 'S', "Name:\tqemu-system-x86\nVmPeak:\t  999 kB\nVmRSS:\t  205164 kB\nThreads:\t5\n");

        Assert.Equal(205164L * 1024, new ProcFs(_proc.Path).ReadRssBytes(4242));
    }

    [Fact]
    public void ReadCpuSeconds_AddsUtimeAndStime_CountingFieldsFromTheLastParenthesis()
    {
        FakeProcess(4242, ["qemu"], 'S');
        // A name with a space and a parenthesis in it; utime 1234 and stime 266 ticks (fields 14 and 15).
        File.WriteAllText(_proc.Sub("4242/stat"), "4242 (qemu sys) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 266 0 0 20 0 5 0 99 0\n");
        Assert.Equal(15.0, new ProcFs(_proc.Path).ReadCpuSeconds(4242));

        File.WriteAllText(_proc.Sub("4242/stat"), "4242 (qemu) S 1 4242");
        Assert.Null(new ProcFs(_proc.Path).ReadCpuSeconds(4242)); // too short
        Assert.Null(new ProcFs(_proc.Path).ReadCpuSeconds(999999));
    }

    [Theory]
    [InlineData("21966\n", 21966)]
    [InlineData("21966", 21966)]
    [InlineData("", null)]
    [InlineData("abc", null)]
    [InlineData("-5", null)]
    public void ReadPidFile_ParsesQemuPidfile(string content, int? expected)
    {
        var path = _proc.Sub("qemu.pid");
        File.WriteAllText(path, content);

        Assert.Equal(expected, ProcFs.ReadPidFile(path));
    }

    [Fact]
    public void ReadPidFile_Missing_Null() => Assert.Null(ProcFs.ReadPidFile(_proc.Sub("none.pid")));

    public void Dispose() => _proc.Dispose();

    private void FakeProcess(int pid, string[] argv, char state, string status = "Name:\tx\n", int tasks = 1)
    {
        var directory = Directory.CreateDirectory(_proc.Sub(pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        for (var task = 0; task < tasks; task++)
        {
            Directory.CreateDirectory(Path.Combine(directory, "task", (pid + task).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        File.WriteAllText(Path.Combine(directory, "cmdline"), argv.Length == 0 ? "" : string.Join('\0', argv) + "\0");
        File.WriteAllText(Path.Combine(directory, "stat"), $"{pid} (qemu-system-x86) {state} 1 {pid} {pid} 0 -1");
        File.WriteAllText(Path.Combine(directory, "status"), status);
    }
}
