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
}
