using SkillVL.LinkEmulator.Shaping;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Shaping;

public sealed class FrameBufferPoolTests
{
    [Theory]
    [InlineData(0, 128)]
    [InlineData(60, 128)]
    [InlineData(128, 128)]
    [InlineData(129, 256)]
    [InlineData(1514, 2048)]
    [InlineData(9014, 16384)]
    [InlineData(65536, 65536)]
    public void Rent_GivesTheSmallestPowerOfTwoThatFits(int length, int expected) =>
        Assert.Equal(expected, new FrameBufferPool().Rent(length).Length);

    [Fact]
    public void Rent_AfterReturn_ReusesTheBuffer()
    {
        var pool = new FrameBufferPool();
        var held = Enumerable.Range(0, 300).Select(_ => pool.Rent(1514)).ToList();
        held.ForEach(pool.Return);

        var again = Enumerable.Range(0, 300).Select(_ => pool.Rent(1500)).ToList();

        Assert.Equal(300, pool.Allocated);
        Assert.Equal(held.ToHashSet(), again.ToHashSet());
    }
}
