using SkillVL.Core.Checks;
using SkillVL.Core.Rooms;
using Xunit;

namespace SkillVL.Core.Tests.Checks;

public sealed class CheckJudgeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>(expect exit, expect output, exit, stdout, stderr, timed out, passed, detail).</summary>
    public static TheoryData<int?, string?, int, string, string, bool, bool, string> RunCases => new()
    {
        { null, null, 0, "", "", false, true, "exit status 0" },
        { null, null, 1, "", "", false, false, "exit status 1, expected 0" },
        { null, null, 1, "", "test: no such file\n", false, false, "exit status 1, expected 0; output: test: no such file" },
        { 3, null, 3, "", "", false, true, "exit status 3" },
        { 3, null, 0, "hi\n", "", false, false, "exit status 0, expected 3; output: hi" },
        { null, "ready", 0, "all ready\n", "", false, true, "exit status 0; the output contains 'ready'" },
        { null, "ready", 0, "Ready\nsteady", "", false, false, "the output does not contain 'ready'; output: Ready ⏎ steady" },
        { null, "ready", 1, "ready", "", false, false, "exit status 1, expected 0; output: ready" },
        { null, null, -1, "", "", true, false, "did not finish within 15 s" },
    };

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Judge_RunCheck_PassesOnlyOnTheExpectedExitAndOutput(
        int? exit, string? output, int exitCode, string stdout, string stderr, bool timedOut, bool passed, string detail)
    {
        var check = new CheckDefinition
        {
            Name = "c",
            Machine = "a",
            Run = "x",
            Expect = exit is null && output is null ? null : new CheckExpectation { Exit = exit, Output = output },
        };

        Assert.Equal(new CheckVerdict(passed, detail), CheckJudge.Judge(check, null, exitCode, stdout, stderr, timedOut, Timeout));
    }

    [Theory]
    [InlineData(0, false, true, "a reaches 10.0.1.11")]
    [InlineData(1, false, false, "a got no answer from 10.0.1.11 (3 pings)")]
    [InlineData(-1, true, false, "a got no answer from 10.0.1.11 (3 pings)")]
    public void Judge_ReachesCheck_PassesOnAnAnswer(int exitCode, bool timedOut, bool passed, string detail)
    {
        var check = new CheckDefinition { Name = "p", Machine = "a", Reaches = "b" };

        Assert.Equal(new CheckVerdict(passed, detail), CheckJudge.Judge(check, "10.0.1.11", exitCode, "", "", timedOut, Timeout));
    }

    [Fact]
    public void Judge_LongOutput_QuotesOnlyItsEndAndStaysBounded()
    {
        var check = new CheckDefinition { Name = "c", Machine = "a", Run = "x" };
        var stdout = new string('x', 5000) + "THE END";

        var verdict = CheckJudge.Judge(check, null, 2, stdout, new string('e', 5000), false, Timeout);

        Assert.False(verdict.Passed);
        Assert.True(verdict.Detail.Length <= CheckJudge.MaxDetailLength);
        Assert.StartsWith("exit status 2, expected 0; output: …", verdict.Detail, StringComparison.Ordinal);
        Assert.EndsWith(new string('e', 10), verdict.Detail, StringComparison.Ordinal);
    }
}
