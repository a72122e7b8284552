using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SkillVL.Server.Hosting;
using SkillVL.Server.Nodes;
using SkillVL.Server.Recommendations;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Recommendations;

/// <summary>
/// A client's announced departure as the advisor gets it (ADR 0063): the time left, counting down, 0 once passed; kept
/// over a reconnect before the time, dropped by one after it, by a withdrawal and by the node's removal.
/// </summary>
public sealed class DepartureSignalTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));
    private readonly NodeRegistry _registry;
    private readonly LivePlacementSignals _signals;
    private readonly FakeNode _laptop = new("laptop1", "192.0.2.7", new CallLog(), "sha");

    public DepartureSignalTests()
    {
        var options = Options.Create(new SkillVlServerOptions());
        _registry = new NodeRegistry(_time, options);
        _registry.Register(_laptop);
        _signals = new LivePlacementSignals(_registry, new NodeLoadHistory(_time), options, _time);
    }

    [Theory]
    // announced in (s), then the clock moves (s), reconnects?, withdrawn?, removed? → departs in (s), or -1: none
    [InlineData(120, 0, false, false, false, 120)]
    [InlineData(120, 30, false, false, false, 90)]
    [InlineData(120, 150, false, false, false, 0)] // passed while still connected: nothing can be moved in time
    [InlineData(120, 30, true, false, false, 90)] // a blip before the time keeps it
    [InlineData(120, 150, true, false, false, -1)] // back after the time: here again
    [InlineData(120, 30, false, true, false, -1)]
    [InlineData(120, 30, false, false, true, -1)]
    public void DepartsIn_CountsDown_AndGoesWithWithdrawalReturnAndRemoval(int inSeconds, int later, bool reconnects, bool withdrawn, bool removed, int expected)
    {
        _registry.SetDeparture(_laptop.Facts.Name, _time.GetUtcNow().AddSeconds(inSeconds));
        _time.Advance(TimeSpan.FromSeconds(later));
        if (reconnects)
        {
            _registry.Register(_laptop);
        }

        if (withdrawn)
        {
            _registry.SetDeparture(_laptop.Facts.Name, null);
        }

        if (removed)
        {
            _registry.Remove(_laptop.Facts.Name);
            _registry.Register(_laptop);
        }

        var node = Assert.Single(_signals.Nodes(new Dictionary<string, long>()));

        Assert.Equal(expected < 0 ? null : TimeSpan.FromSeconds(expected), node.DepartsIn);
    }
}
