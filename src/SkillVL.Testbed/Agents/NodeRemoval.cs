namespace SkillVL.Testbed.Agents;

/// <summary>The outcome of asking the Server to remove one of the testbed's nodes.</summary>
internal enum NodeRemoval
{
    /// <summary>204: the Server removed it.</summary>
    Removed,

    /// <summary>404: the Server has no such node (never enrolled, or removed already).</summary>
    NotFound,

    /// <summary>Nothing listens where the Server was (connection refused, socket gone).</summary>
    ServerGone,
}
