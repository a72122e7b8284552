namespace SkillVL.Core.Nodes.Protocol;

/// <summary>The agent calls of <see cref="Snapshots.IVmSnapshotDriver"/> (ADR 0051), beside <see cref="AgentMethods"/>.</summary>
public static class SnapshotMethods
{
    public const string Prefix = "snapshots.";
    public const string List = "snapshots.list";
    public const string Create = "snapshots.create";
    public const string Revert = "snapshots.revert";
    public const string Delete = "snapshots.delete";
}
