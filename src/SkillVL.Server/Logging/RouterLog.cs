namespace SkillVL.Server.Logging;

/// <summary>The reconciler's messages about room routers (ADR 0039); ids 3150–3159 of the reconciler's range.</summary>
public static partial class Log
{
    [LoggerMessage(3150, LogLevel.Information, "Removing orphan router {RouterId} from node {Node}")]
    public static partial void RemovingOrphanRouter(ILogger logger, string routerId, string node);

    [LoggerMessage(3151, LogLevel.Information, "Router {RouterId} ({Room}/{Router}) ensured on node {Node}")]
    public static partial void RouterEnsured(ILogger logger, string routerId, string room, string router, string node);
}
