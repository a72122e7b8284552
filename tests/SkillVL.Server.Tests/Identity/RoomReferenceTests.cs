using SkillVL.Server.Identity;

namespace SkillVL.Server.Tests.Identity;

/// <summary>Issue 17 (Deliver 3, ADR 0038): how a room named in a route or a body is read.</summary>
public sealed class RoomReferenceTests
{
    [Theory]
    [InlineData("lab", null, "lab")]
    [InlineData("r-0123abcd", null, "r-0123abcd")]
    [InlineData("alice/lab", "alice", "lab")]
    [InlineData("alice%2Flab", "alice", "lab")] // Kestrel leaves an escaped slash escaped in a route value
    [InlineData("alice%2flab", "alice", "lab")]
    [InlineData("/lab", null, "/lab")] // no owner: not a reference to anyone's room, found nowhere
    [InlineData("alice/", null, "alice/")]
    [InlineData("a/b/c", null, "a/b/c")]
    public void Parse_ReadsOwnerAndName(string text, string? owner, string name)
    {
        var parsed = RoomReference.Parse(text);

        Assert.Equal(owner, parsed.Owner);
        Assert.Equal(name, parsed.Name);
    }

    [Fact]
    public void ToString_IsTheDecodedForm_ForMessages() =>
        Assert.Equal("alice/lab", RoomReference.Parse("alice%2Flab").ToString());
}
