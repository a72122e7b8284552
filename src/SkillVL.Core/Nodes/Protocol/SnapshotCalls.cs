namespace SkillVL.Core.Nodes.Protocol;

/// <summary>Parameters and answers of the snapshot calls (<see cref="SnapshotMethods"/>).</summary>
public static class SnapshotCalls
{
    /// <summary>Take snapshot <paramref name="Name"/> of VM <paramref name="Id"/>, with its memory or not.</summary>
    public sealed record Create(string Id, string Name, bool WithRam);

    /// <summary>Revert to or delete snapshot <paramref name="Name"/> of VM <paramref name="Id"/>.</summary>
    public sealed record Named(string Id, string Name);

    /// <summary>The answer of a delete: whether there was such a snapshot.</summary>
    public sealed record Deleted(bool Existed);
}
