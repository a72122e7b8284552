namespace SkillVL.Testbed.Planning;

/// <summary>The node kinds of issue 5 that the testbed makes (as the agent's <c>--kind</c> spells them).</summary>
public static class NodeKind
{
    /// <summary>A server node: a namespace on the underlay bridge through a plain veth.</summary>
    public const string Server = "server";

    /// <summary>A client node (a student's laptop): its link to the underlay runs through skillvl-linkem.</summary>
    public const string Client = "client";
}
