using SkillVL.LinkEmulator.Shaping;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Shaping;

public sealed class DelayLineTests
{
    [Fact]
    public void TryDequeueDue_BeforeTheDueTime_GivesNothing()
    {
        var line = new DelayLine();
        line.Enqueue(new byte[64], 64, dueAt: 100);

        Assert.False(line.TryDequeueDue(99, out _));
        Assert.Equal(100, line.NextDueAt);
        Assert.True(line.TryDequeueDue(100, out var frame));
        Assert.Equal(100, frame.DueAt);
        Assert.Equal(long.MaxValue, line.NextDueAt);
    }

    [Fact]
    public void Enqueue_EarlierDueTimeThanThePrevious_KeepsOrder()
    {
        var line = new DelayLine();
        var first = new byte[64];
        var second = new byte[64];
        line.Enqueue(first, 64, dueAt: 500);

        // Jitter drew a shorter delay for the second frame: it leaves with the first, not before it.
        Assert.Equal(500, line.Enqueue(second, 64, dueAt: 300));

        Assert.True(line.TryDequeueDue(500, out var a));
        Assert.True(line.TryDequeueDue(500, out var b));
        Assert.Same(first, a.Buffer);
        Assert.Same(second, b.Buffer);
    }

    [Fact]
    public void Dequeue_ManyFrames_ComeOutInOrderAndAccountBytes()
    {
        var line = new DelayLine();
        for (var i = 0; i < 1000; i++)
        {
            line.Enqueue([(byte)(i % 256)], 1 + (i % 3), dueAt: i);
        }

        Assert.Equal(1000, line.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => 1 + (i % 3)), line.Bytes);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(line.TryDequeueDue(999, out var frame));
            Assert.Equal(i, frame.DueAt);
            Assert.Equal((byte)(i % 256), frame.Buffer[0]);
        }

        Assert.Equal(0, line.Bytes);
        Assert.False(line.TryDequeueAny(out _));
    }
}
