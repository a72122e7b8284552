using System.Collections.Concurrent;
using SkillVL.Testbed.Status;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// One testbed shared by <see cref="TestbedNatTests"/>: the server node node1 and the client laptop1 behind NAT
/// (<c>--behind-nat</c>) and a 50 Mbit/s, 40 ms link, no agents. Made once, removed after the last test of the class.
/// </summary>
public sealed class NatFixture : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _log = new();

    public NatFixture()
    {
        Bed = new TestbedUnderTest(_log.Enqueue);
    }

    internal TestbedUnderTest Bed { get; }

    public TestbedStatus Status { get; private set; } = null!;

    /// <summary>Lines the fixture logged (printed by the first test that asks).</summary>
    public IEnumerable<string> DrainLog()
    {
        while (_log.TryDequeue(out var line))
        {
            yield return line;
        }
    }

    public async Task InitializeAsync()
    {
        HostTools.RequireTool("ping", "iputils-ping");
        HostTools.RequireTool("iperf3", "iperf3");
        HostTools.RequireTool("busybox", "busybox-static");
        HostTools.RequireTool("nft", "nftables");
        Status = await Bed.UpAsync(Bed.Request(1, "laptop1") with { Bandwidth = ClientLinkFixture.Rate, Rtt = ClientLinkFixture.Rtt, BehindNat = true });
    }

    public async Task DisposeAsync() => await Bed.DisposeAsync();
}
