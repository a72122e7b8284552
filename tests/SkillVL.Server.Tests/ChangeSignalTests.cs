using Microsoft.Extensions.Time.Testing;
using SkillVL.Server.Events;

namespace SkillVL.Server.Tests;

/// <summary>Issue 11 finding 4: event streams wait for a change instead of polling; no change is ever missed.</summary>
public sealed class ChangeSignalTests
{
    [Fact]
    public async Task WaitAsync_ChangeBeforeTheWait_ReturnsAtOnce()
    {
        var signal = new ChangeSignal();
        var seen = signal.Version;
        signal.Raise();
        Assert.True(await signal.WaitAsync(seen, TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitAsync_ChangeDuringTheWait_Wakes()
    {
        var signal = new ChangeSignal();
        var waiting = signal.WaitAsync(signal.Version, TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        signal.Raise();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task WaitAsync_NoChange_ReturnsFalseAfterTheTimeout()
    {
        var time = new FakeTimeProvider();
        var signal = new ChangeSignal();
        var waiting = signal.WaitAsync(signal.Version, TimeSpan.FromSeconds(15), time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Raise_FromManyThreads_WakesEveryWaiter()
    {
        var signal = new ChangeSignal();
        for (var round = 0; round < 200; round++)
        {
            var seen = signal.Version;
            var waiters = Enumerable.Range(0, 4).Select(_ => Task.Run(() => signal.WaitAsync(seen, TimeSpan.FromHours(1), TimeProvider.System, CancellationToken.None))).ToList();
            await Task.Run(signal.Raise);
            Assert.All(await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(5)), Assert.True);
        }
    }
}
