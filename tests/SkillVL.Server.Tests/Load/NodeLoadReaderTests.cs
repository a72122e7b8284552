using SkillVL.Agent.Load;

namespace SkillVL.Server.Tests.Load;

/// <summary>The agent's /proc reader (ADR 0027): on a directory of captured files, and on this host's real /proc.</summary>
public sealed class NodeLoadReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("skillvl-proc-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Read_TwoHeartbeats_CpuFromTheDeltaAndEveryOtherFigure()
    {
        Write("stat", "cpu  1000 0 0 1000 0 0 0 0 0 0\n");
        Write("loadavg", "1.50 1.00 0.50 3/200 999\n");
        Write("meminfo", "MemTotal: 2048 kB\nMemAvailable: 1024 kB\n");
        Write("pressure/cpu", "some avg10=12.50 avg60=1.00 avg300=0.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        Write("pressure/memory", "some avg10=0.25 avg60=0.00 avg300=0.00 total=1\n");
        Write("pressure/io", "some avg10=3.00 avg60=0.00 avg300=0.00 total=1\n");
        var reader = new NodeLoadReader(_root);

        var first = reader.Read();
        Write("stat", "cpu  1300 0 0 1100 0 0 0 0 0 0\n"); // 400 ticks, 100 idle
        var second = reader.Read();

        Assert.Null(first.CpuUtilization);
        Assert.Equal(new Core.Nodes.NodeLoadSample(0.75, 1.5, 3, 1024L * 1024, 2048L * 1024, 12.5, 0.25, 3.0), second);
    }

    [Fact]
    public void Read_NoPressureDirectoryAndNoFiles_LeavesThoseNull()
    {
        Write("loadavg", "0.10 0.10 0.10 1/90 5\n");

        var sample = new NodeLoadReader(_root).Read();

        Assert.Equal(new Core.Nodes.NodeLoadSample(LoadAverage1: 0.1, RunQueue: 1), sample);
    }

    [Fact]
    public void Read_ThisHostsProc_GivesLoadMemoryAndCpu()
    {
        var reader = new NodeLoadReader();
        reader.Read();
        Thread.Sleep(TimeSpan.FromMilliseconds(200)); // at 100 Hz, ~40 ticks over two CPUs

        var sample = reader.Read();

        Assert.NotNull(sample.LoadAverage1);
        Assert.True(sample.RunQueue >= 1, "the reader itself is runnable"); // counts the reading task
        Assert.True(sample.MemoryAvailableBytes is > 0 && sample.MemoryAvailableBytes <= sample.MemoryTotalBytes, $"{sample}");
        Assert.InRange(sample.CpuUtilization!.Value, 0, 1);
        Assert.Equal(File.Exists("/proc/pressure/cpu"), sample.CpuPressure is not null);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
