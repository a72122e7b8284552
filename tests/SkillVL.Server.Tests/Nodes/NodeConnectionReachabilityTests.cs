using Microsoft.Extensions.Time.Testing;
using SkillVL.Core.Nodes;
using SkillVL.Server.Hosting;
using SkillVL.Server.Nodes;
using SkillVL.Server.Tests.Migrations;

namespace SkillVL.Server.Tests.Nodes;

/// <summary>
/// Reachability comes from the node contract (ADR 0036): a node outside the Server's process is reachable while its
/// connection is up and it reported within the heartbeat timeout, whatever its type; a node in the process always is.
/// </summary>
public sealed class NodeConnectionReachabilityTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly NodeRegistry _registry;
    private readonly FakeNode _node = new("n1", "192.0.2.1", new CallLog(), "sha");

    public NodeConnectionReachabilityTests()
    {
        _registry = new NodeRegistry(_time, Microsoft.Extensions.Options.Options.Create(new SkillVlServerOptions()));
        _registry.Register(_node);
    }

    [Fact]
    public void IsReachable_NodeInProcess_IsReachable()
    {
        Assert.True(_registry.IsReachable(_node));
        Assert.Contains(_node, _registry.All);
    }

    [Fact]
    public void IsReachable_ConnectionDown_IsUnreachable()
    {
        _node.Connection = new Link(false, _time.GetUtcNow());

        Assert.False(_registry.IsReachable(_node));
        Assert.DoesNotContain(_node, _registry.All);
    }

    [Fact]
    public void IsReachable_ConnectedButSilentPastHeartbeatTimeout_IsUnreachable()
    {
        var timeout = new SkillVlServerOptions().NodeHeartbeatTimeout;
        _node.Connection = new Link(true, _time.GetUtcNow());
        Assert.True(_registry.IsReachable(_node));

        _time.Advance(timeout + TimeSpan.FromSeconds(1));

        Assert.False(_registry.IsReachable(_node));
    }

    private sealed record Link(bool IsConnected, DateTimeOffset LastSeen) : INodeConnection;
}
