namespace SkillVL.Server.Nodes;

internal static partial class NodeLog
{
    [LoggerMessage(3300, LogLevel.Information, "Node {Node} connected (underlay {Underlay})")]
    public static partial void Connected(ILogger logger, string node, string underlay);

    [LoggerMessage(3301, LogLevel.Warning, "Node {Node} disconnected; its VMs are left alone until it is back")]
    public static partial void Disconnected(ILogger logger, string node);
}
