using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Migrations;

public sealed class MigrationTargetCheckTests
{
    private const long Machine = 256L << 20;

    public static TheoryData<string, string, bool, bool, long, string?, string?> Cases => new()
    {
        // because, target, reachable, drained, allocated on target, field, message part
        { "fits", "dst", true, false, 0, null, null },
        { "unknown node", "nowhere", true, false, 0, "to", "not a known node" },
        { "same node", "src", true, false, 0, "to", "already runs on node 'src'" },
        { "drained", "dst", true, true, 0, "to", "is drained" },
        { "unreachable", "dst", false, false, 0, "to", "is unreachable" },
        { "full", "dst", true, false, (8L << 30) - (100L << 20), "to", "is full: it has less memory free than the machine needs (256 MiB)" },
        { "exactly fits", "dst", true, false, (8L << 30) - Machine, null, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_NamesTheFirstReason(string because, string target, bool reachable, bool drained, long allocated, string? field, string? message)
    {
        var log = new CallLog();
        var source = new FakeNode("src", null, log, "x");
        var node = target switch { "dst" => new FakeNode("dst", null, log, "x"), "src" => source, _ => null };

        var error = MigrationTargetCheck.Check(target, "src", Machine, source, node, reachable, drained, allocated);

        Assert.True(field == error?.Field, $"{because}: expected {field ?? "no error"}, got {error}");
        if (message is not null)
        {
            Assert.Contains(message, error!.Message, StringComparison.Ordinal);
        }
    }
}
