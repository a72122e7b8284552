namespace SkillVL.Server.Consoles;

internal static partial class ConsolesLog
{
    [LoggerMessage(3600, LogLevel.Information, "Console of user {UserId} on machine {MachineId} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string userId, string machineId, string reason);

    // The session id is left out: it is what a node presents to be paired, so it stays out of logs.
    [LoggerMessage(3601, LogLevel.Warning, "Node {OfferingNode} offered a connection for a relay session sent to node {ExpectedNode}; refused")]
    public static partial void OfferFromWrongNode(ILogger logger, string offeringNode, string expectedNode);
}
