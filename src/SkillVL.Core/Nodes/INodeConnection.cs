namespace SkillVL.Core.Nodes;

/// <summary>
/// How the Server hears from a node that runs outside its process (ADR 0036): whether its connection is up and when it
/// last reported. The Server decides reachability from these and its own heartbeat timeout.
/// </summary>
public interface INodeConnection
{
    bool IsConnected { get; }

    DateTimeOffset LastSeen { get; }
}
