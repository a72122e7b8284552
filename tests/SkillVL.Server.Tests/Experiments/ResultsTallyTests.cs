using SkillVL.Server.Experiments;

namespace SkillVL.Server.Tests.Experiments;

public sealed class ResultsTallyTests
{
    [Fact]
    public void Count_QuotedFieldsAndTornLastLine_CountsCompleteRowsOnly()
    {
        var text = ExperimentRunFiles.Header
            + "c1-r1,c1,1,t,256MiB,succeeded,12.5,\r\n"
            + "c1-r2,c1,2,t,256MiB,failed,,\"a, \"\"quoted\"\"\nmulti-line error\"\n"
            + "c2-r1,c2,1,t,512MiB,succeeded,20.1,\n"
            + "c3-r1,c3,1,t,512MiB,succeeded,20.1\n" // a field short: not a complete row
            + "c4-r1,c4,1,t,512MiB,succ";          // torn: no newline

        Assert.Equal((3, 2, 2), ResultsTally.Count(text));
    }

    [Fact]
    public void Count_HeaderWithoutCellId_IsNull()
    {
        Assert.Null(ResultsTally.Count("a,b\n1,2\n"));
        Assert.Null(ResultsTally.Count(""));
        Assert.Null(ResultsTally.Count("run_id,cell_id")); // a header without its newline is torn too
    }

    [Fact]
    public void Count_HeaderOnly_IsZero() => Assert.Equal((0, 0, 0), ResultsTally.Count(ExperimentRunFiles.Header));

    /// <summary>A results.csv with the runner's full header (ResultsCsv.Header), a failed run with a quoted error (four quotes open the literal: the error ends in three).</summary>
    [Fact]
    public void Count_TheRunnersHeader_CountsRunsCellsAndSuccesses()
    {
        const string csv = """"
            run_id,cell_id,repetition,finished_utc,ram,fill,disk,written,bandwidth,rtt,vms,method,dirty,outcome,total_s,downtime_qemu_ms,downtime_probe_ms,link_bytes,ram_bytes,disk_bytes,template_bytes,throughput_mbit,error
            ca000001-r1,ca000001,1,2026-12-06T10:01:00Z,128Mi,zeros,384Mi,64Mi,20Mbit,40ms,1,skillvl,0MiB/s,succeeded,33.85,158,332,76172319,44739242,67108864,0,18.0,
            ca000001-r2,ca000001,2,2026-12-06T10:02:00Z,128Mi,zeros,384Mi,64Mi,20Mbit,40ms,1,skillvl,0MiB/s,succeeded,33.84,207,360,76135317,44739242,67108864,0,18.0,
            ca000002-r1,ca000002,1,2026-12-06T10:01:00Z,256Mi,zeros,384Mi,64Mi,20Mbit,40ms,1,skillvl,0MiB/s,succeeded,65.09,176,312,146456084,89478485,67108864,0,18.0,
            ca000002-r2,ca000002,2,2026-12-06T10:02:00Z,256Mi,zeros,384Mi,64Mi,20Mbit,40ms,1,skillvl,0MiB/s,succeeded,64.93,199,355,146087677,89478485,67108864,0,18.0,
            ca000003-r1,ca000003,1,2026-12-06T10:01:00Z,128Mi,zeros,384Mi,64Mi,100Mbit,40ms,1,skillvl,0MiB/s,succeeded,9.75,150,389,109703677,44739242,67108864,0,90.0,
            ca000003-r2,ca000003,2,2026-12-06T10:02:00Z,128Mi,zeros,384Mi,64Mi,100Mbit,40ms,1,skillvl,0MiB/s,succeeded,9.59,179,375,107880605,44739242,67108864,0,90.0,
            ca000004-r1,ca000004,1,2026-12-06T10:01:00Z,256Mi,zeros,384Mi,64Mi,100Mbit,40ms,1,skillvl,0MiB/s,succeeded,16.23,190,303,182624295,89478485,67108864,0,90.0,
            ca000004-r2,ca000004,2,2026-12-06T10:02:00Z,256Mi,zeros,384Mi,64Mi,100Mbit,40ms,1,skillvl,0MiB/s,succeeded,15.31,219,301,172241123,89478485,67108864,0,90.0,
            ca000004-r3,ca000004,3,2026-12-06T10:09:00Z,256Mi,zeros,384Mi,64Mi,100Mbit,40ms,1,skillvl,0MiB/s,failed,,,,,,,,,"migration failed: target, said ""no"""
            """";

        Assert.Equal((9, 4, 8), ResultsTally.Count(csv.ReplaceLineEndings("\n") + "\n"));
    }
}
