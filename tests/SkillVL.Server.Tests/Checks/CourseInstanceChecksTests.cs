using SkillVL.Core.Rooms;
using SkillVL.Server.Courses;

namespace SkillVL.Server.Tests.Checks;

/// <summary>Issue 17 (ADR 0042): the checks of a course instance are the teacher's; a student's apply cannot change them.</summary>
public sealed class CourseInstanceChecksTests
{
    private const string Published = """
        apiVersion: skillvl.io/v1
        kind: Room
        metadata: { name: lab }
        networks: [{ name: lan, cidr: 10.20.0.0/24 }]
        machines:
          - { name: a, template: tiny, nics: [{ network: lan, ip: 10.20.0.10 }] }
          - { name: b, template: tiny, nics: [{ network: lan, ip: 10.20.0.11 }] }
        checks:
          - { name: done, machine: a, run: test -f /root/done }
          - { name: a-reaches-b, machine: a, reaches: b }
        """;

    [Theory]
    [InlineData("run: test -f /root/done", "run: 'true'")]
    [InlineData("run: test -f /root/done }", "run: test -f /root/done, expect: { exit: 1 } }")]
    [InlineData("\n  - { name: a-reaches-b, machine: a, reaches: b }", "")]
    [InlineData("checks:\n  - { name: done, machine: a, run: test -f /root/done }\n  - { name: a-reaches-b, machine: a, reaches: b }", "")]
    public void ChangedChecks_AreRefused(string from, string to)
    {
        var proposed = Parse(Published.Replace(from, to, StringComparison.Ordinal));

        var errors = CourseInstanceEdits.Check(Parse(Published), proposed, 1);

        Assert.Equal(
            [new ValidationError("checks", "the checks are the teacher's: a course instance keeps what its teacher published (version 1); only layout (ui) and the description may change")],
            errors);
    }

    [Fact]
    public void SameChecks_WrittenDifferently_AreAccepted()
    {
        var reordered = Published.Replace(
            "{ name: done, machine: a, run: test -f /root/done }", "{ run: \"test -f /root/done\", machine: a, name: done }", StringComparison.Ordinal);

        Assert.Empty(CourseInstanceEdits.Check(Parse(Published), Parse(reordered), 1));
    }

    private static RoomDefinition Parse(string yaml) =>
        RoomDocument.Parse(yaml).Definition ?? throw new InvalidOperationException(string.Join("; ", RoomDocument.Parse(yaml).Errors));
}
