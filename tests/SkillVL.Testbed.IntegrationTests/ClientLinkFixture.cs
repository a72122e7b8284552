using System.Collections.Concurrent;
using SkillVL.Testbed.Status;
using SkillVL.TestUtilities;
using Xunit;

namespace SkillVL.Testbed.IntegrationTests;

/// <summary>
/// One testbed shared by <see cref="TestbedNetworkTests"/>: two server nodes and the client laptop1 behind a
/// 50 Mbit/s, 40 ms link, no agents. Made once (about a second), removed after the last test of the class.
/// </summary>
public sealed class ClientLinkFixture : IAsyncLifetime
{
    public const string Rate = "50mbit";
    public const string Rtt = "40ms";

    private readonly ConcurrentQueue<string> _log = new();

    public ClientLinkFixture()
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
        Status = await Bed.UpAsync(Bed.Request(2, "laptop1") with { Bandwidth = Rate, Rtt = Rtt });
    }

    public async Task DisposeAsync() => await Bed.DisposeAsync();
}
