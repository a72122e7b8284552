using SkillVL.Core.Snapshots;
using Xunit;

namespace SkillVL.Core.Tests.Snapshots;

public sealed class SnapshotNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("before-lab-2")]
    [InlineData("0")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Slugs_AreValid(string name) => Assert.True(SnapshotNames.IsValid(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("Before")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a_b")]
    [InlineData("ä")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void EverythingElse_IsNot(string? name) => Assert.False(SnapshotNames.IsValid(name));
}
