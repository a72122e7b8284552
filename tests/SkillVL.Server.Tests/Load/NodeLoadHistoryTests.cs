using Microsoft.Extensions.Time.Testing;
using SkillVL.Core.Nodes;
using SkillVL.Server.Nodes;

namespace SkillVL.Server.Tests.Load;

/// <summary>The Server's per-node load series (ADR 0027): bounded by count and by age, stamped with the Server's clock.</summary>
public sealed class NodeLoadHistoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Record_StampsTheServersTime_AndLatestIsTheNewest()
    {
        var history = new NodeLoadHistory(_time);

        history.Record("node1", new NodeLoadSample(CpuUtilization: 0.1, At: DateTimeOffset.UnixEpoch));
        _time.Advance(TimeSpan.FromSeconds(5));
        history.Record("node1", new NodeLoadSample(CpuUtilization: 0.9));

        Assert.Equal([_time.GetUtcNow() - TimeSpan.FromSeconds(5), _time.GetUtcNow()], history.Series("node1").Select(s => s.At!.Value));
        Assert.Equal(0.9, history.Latest("node1")!.CpuUtilization);
        Assert.Null(history.Latest("node2"));
    }

    [Fact]
    public void Record_MoreThanTheRing_KeepsTheLastMaxSamples()
    {
        var history = new NodeLoadHistory(_time);

        for (var i = 0; i < NodeLoadHistory.MaxSamples + 40; i++)
        {
            history.Record("node1", new NodeLoadSample(RunQueue: i));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var series = history.Series("node1");
        Assert.Equal(NodeLoadHistory.MaxSamples, series.Count);
        Assert.Equal(40, series[0].RunQueue);
    }

    [Fact]
    public void Series_OlderThanTheWindow_IsDropped()
    {
        var history = new NodeLoadHistory(_time);
        history.Record("node1", new NodeLoadSample(RunQueue: 1));
        _time.Advance(NodeLoadHistory.Window - TimeSpan.FromSeconds(1));
        history.Record("node1", new NodeLoadSample(RunQueue: 2));

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal([2], history.Series("node1").Select(s => s.RunQueue!.Value));
        _time.Advance(NodeLoadHistory.Window);
        Assert.Empty(history.Series("node1"));
        Assert.Null(history.Latest("node1"));
    }

    [Fact]
    public void RoundTrip_LatestWithinTheWindow_ElseNull()
    {
        var history = new NodeLoadHistory(_time);
        history.RecordRoundTrip("laptop1", TimeSpan.FromMilliseconds(90));
        history.RecordRoundTrip("laptop1", TimeSpan.FromMilliseconds(80));

        Assert.Equal(TimeSpan.FromMilliseconds(80), history.RoundTrip("laptop1"));
        Assert.Null(history.RoundTrip("node2"));
        _time.Advance(NodeLoadHistory.Window + TimeSpan.FromSeconds(1));
        Assert.Null(history.RoundTrip("laptop1"));
    }

    [Fact]
    public void Forget_DropsTheNodesSeriesAndRoundTrip()
    {
        var history = new NodeLoadHistory(_time);
        history.Record("node1", new NodeLoadSample(RunQueue: 1));
        history.RecordRoundTrip("node1", TimeSpan.FromMilliseconds(1));

        history.Forget("node1");

        Assert.Empty(history.Series("node1"));
        Assert.Null(history.RoundTrip("node1"));
    }
}
