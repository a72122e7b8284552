using SkillVL.Server.Migrations;

namespace SkillVL.Server.Tests.Checkout;

/// <summary>What a check-out or check-in asks beyond any move (ADR 0023), as a table: the answer's kind and the field.</summary>
public sealed class CheckoutRulesTests
{
    [Theory]
    // A plain move: fine unless the machine is checked out (it would leave the retained copy behind).
    [InlineData(null, null, "node2", "server", "ok", null)]
    [InlineData(null, "laptop1", "node2", "server", "409", null)]
    // A check-out: to a client node, of a machine not checked out.
    [InlineData("checkout", null, "laptop1", "client", "ok", null)]
    [InlineData("checkout", null, "node2", "server", "400", "to")]
    [InlineData("checkout", null, "nowhere", null, "400", "to")]
    [InlineData("checkout", "laptop1", "laptop2", "client", "409", null)]
    // A check-in: only of a checked-out machine.
    [InlineData("checkin", "laptop1", "node1", "server", "ok", null)]
    [InlineData("checkin", null, "node1", "server", "409", null)]
    public void Check_AnswersAsTheTableSays(string? purpose, string? checkedOutTo, string to, string? targetKind, string expected, string? field)
    {
        var result = CheckoutRules.Check(purpose, "lab/web", checkedOutTo, to, targetKind);

        var answer = result switch
        {
            null => "ok",
            { Conflict: not null } => "409",
            { Errors.Count: > 0 } => "400",
            _ => "?",
        };
        Assert.Equal(expected, answer);
        Assert.Equal(field, result?.Errors?.Single().Field);
    }

    [Fact]
    public void Check_ToAServerNode_SaysWhatToDoInstead()
    {
        var result = CheckoutRules.Check(CheckoutRules.Checkout, "lab/web", null, "node2", "server");

        Assert.Contains("a check-out goes to a client node", result!.Errors!.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AnUnknownPurpose_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CheckoutRules.Check("borrow", "lab/web", null, "node2", "server"));
}
