using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Relay;
using Xunit;

namespace SkillVL.LinkEmulator.Tests.Relay;

public sealed class LinkRelayTests
{
    private static readonly LinkProfile Profile = new() { RateBitsPerSecond = 10_000_000 };

    [Fact]
    public void Stop_IdleRelay_EndsBothThreadsPromptly()
    {
        using var relay = new LinkRelay(new IdleEndpoint("a"), new IdleEndpoint("b"), Profile, Profile, new RelayOptions { RealtimePriority = 0 }, TimeProvider.System);
        relay.Start();

        Assert.All(relay.Scheduling, s => Assert.StartsWith("SCHED_OTHER", s, StringComparison.Ordinal));
        Assert.True(relay.Stop(TimeSpan.FromSeconds(5)));
        Assert.Null(relay.Fault);
    }

    [Fact]
    public void Start_EndpointGone_RecordsTheFaultAndSignalsIt()
    {
        var gone = new IOException("tap b was deleted");
        using var relay = new LinkRelay(new IdleEndpoint("a"), new IdleEndpoint("b", gone), Profile, Profile, new RelayOptions { RealtimePriority = 0 }, TimeProvider.System);
        relay.Start();

        Assert.True(relay.Faulted.WaitOne(TimeSpan.FromSeconds(5)), "the relay did not report the dead endpoint");
        Assert.Same(gone, relay.Fault);
        Assert.True(relay.Stop(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Never has a frame; optionally fails every read as a deleted tap does. Thread-safe (stateless).</summary>
    private sealed class IdleEndpoint(string name, IOException? failure = null) : IFrameEndpoint
    {
        public string Name { get; } = name;

        public int TryRead(Span<byte> buffer) => failure is null ? 0 : throw failure;

        public bool TryWrite(ReadOnlySpan<byte> frame) => true;

        public bool WaitReadable(TimeSpan timeout)
        {
            Thread.Sleep(timeout < TimeSpan.FromMilliseconds(5) ? timeout : TimeSpan.FromMilliseconds(5));
            return failure is not null;
        }
    }
}
