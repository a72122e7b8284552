using SkillVL.Core.Nodes;
using Xunit;

namespace SkillVL.Core.Tests.Nodes;

/// <summary>The /proc texts a node's load is read from (ADR 0027), as captured on this project's build host (Linux 6.x,
/// 2 CPUs) and on an older kernel without PSI.</summary>
public sealed class ProcLoadParserTests
{
    private const string Stat1 = """
        cpu  3631132 838725 851860 2034687 6632 0 31390 12448 0 0
        cpu0 1789629 425171 420902 1044780 1400 0 14914 6159 0 0
        cpu1 1841503 413553 430957 989907 5232 0 16475 6288 0 0
        intr 123456789 0 9 0 0
        ctxt 987654321
        btime 1764980000
        processes 123456
        procs_running 3
        procs_blocked 0
        """;

    // 5 s later: 1000 ticks passed (2 CPUs × 100 Hz × 5 s), 250 of them idle and 50 iowait.
    private const string Stat2 = """
        cpu  3631732 838725 851960 2034937 6682 0 31390 12448 0 0
        cpu0 1789929 425171 420952 1044905 1425 0 14914 6159 0 0
        cpu1 1841803 413553 431007 990032 5257 0 16475 6288 0 0
        """;

    private const string LoadAvg = "15.86 6.13 3.78 20/459 813\n";

    private const string MemInfo = """
        MemTotal:       24683784 kB
        MemFree:        19811620 kB
        MemAvailable:   22444252 kB
        Buffers:          181508 kB
        Cached:          2526596 kB
        """;

    private const string PressureCpu = """
        some avg10=98.19 avg60=69.56 avg300=38.19 total=20904115980
        full avg10=0.00 avg60=0.00 avg300=0.00 total=0
        """;

    [Fact]
    public void ParseStat_AggregateLine_SumsEightFieldsAndCountsIowaitAsIdle()
    {
        var times = ProcLoadParser.ParseStat(Stat1);

        Assert.Equal(new ProcCpuTimes(3631132UL + 838725 + 851860 + 2034687 + 6632 + 0 + 31390 + 12448, 2034687UL + 6632), times);
    }

    [Fact]
    public void UtilizationSince_TwoCapturedReadings_IsBusyShareOfTheDelta()
    {
        var earlier = ProcLoadParser.ParseStat(Stat1)!.Value;
        var later = ProcLoadParser.ParseStat(Stat2)!.Value;

        // 600 user + 100 system + 250 idle + 50 iowait = 1000 ticks; busy 700.
        Assert.Equal(0.7, later.UtilizationSince(earlier)!.Value, 6);
    }

    [Theory]
    [InlineData(100UL, 50UL, 100UL, 50UL)] // no tick passed
    [InlineData(50UL, 10UL, 100UL, 20UL)] // the counters went back (a reboot)
    public void UtilizationSince_NoTicksOrCountersBack_IsNull(ulong total, ulong idle, ulong earlierTotal, ulong earlierIdle) =>
        Assert.Null(new ProcCpuTimes(total, idle).UtilizationSince(new ProcCpuTimes(earlierTotal, earlierIdle)));

    [Theory]
    [InlineData("")]
    [InlineData("cpu0 1 2 3 4\n")]
    [InlineData("cpu  1 2 x 4 5\n")]
    [InlineData("cpu  1 2\n")]
    public void ParseStat_NoOrBadAggregateLine_IsNull(string text) => Assert.Null(ProcLoadParser.ParseStat(text));

    [Fact]
    public void ParseLoadAverage_Captured_IsOneMinuteAndRunnable() =>
        Assert.Equal((15.86, 20), ProcLoadParser.ParseLoadAverage(LoadAvg));

    [Theory]
    [InlineData("")]
    [InlineData("0.5 0.4 0.3")]
    [InlineData("abc 0.4 0.3 2/100 1")]
    [InlineData("0.5 0.4 0.3 2-100 1")]
    public void ParseLoadAverage_Malformed_IsNull(string text) => Assert.Null(ProcLoadParser.ParseLoadAverage(text));

    [Fact]
    public void ParseMemInfo_Captured_IsKibTimes1024() =>
        Assert.Equal((22444252L * 1024, 24683784L * 1024), ProcLoadParser.ParseMemInfo(MemInfo));

    [Fact]
    public void ParseMemInfo_KernelBefore314WithoutMemAvailable_HasTotalOnly() =>
        Assert.Equal((null, 1024L * 1024), ProcLoadParser.ParseMemInfo("MemTotal: 1024 kB\nMemFree: 512 kB\n"));

    [Fact]
    public void ParsePressure_Captured_IsSomeAvg10() =>
        Assert.Equal(98.19, ProcLoadParser.ParsePressureSomeAvg10(PressureCpu));

    [Theory]
    [InlineData("")]
    [InlineData("full avg10=1.00 avg60=0.00 avg300=0.00 total=0\n")]
    [InlineData("some avg60=1.00 total=0\n")]
    [InlineData("some avg10=abc avg60=0.00\n")]
    public void ParsePressure_NoSomeAvg10_IsNull(string text) => Assert.Null(ProcLoadParser.ParsePressureSomeAvg10(text));
}
