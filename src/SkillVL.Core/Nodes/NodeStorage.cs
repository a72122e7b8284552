namespace SkillVL.Core.Nodes;

/// <summary>
/// Where a node keeps its VM disks when they live outside the node (ADR 0055): a Ceph RBD pool, named by the cluster's
/// fsid (unique per cluster, unlike its monitors' addresses or the conf's path) and the pool's name. Two nodes share a
/// VM's disk iff both say the same (<see cref="SharesDisksWith"/>): a migration between them moves RAM only.
/// </summary>
/// <param name="Kind">"rbd" (the one kind so far).</param>
/// <param name="ClusterFsid">The Ceph cluster's fsid as <c>ceph fsid</c> prints it (a UUID).</param>
/// <param name="Pool">The pool's name.</param>
public sealed record NodeStorage(string Kind, string ClusterFsid, string Pool)
{
    public const string Rbd = "rbd";

    /// <summary>Both nodes open the same images: the same kind, cluster and pool. A node with no shared storage (null)
    /// shares nothing, not even with another such node (each has its own files).</summary>
    public static bool SharesDisks(NodeStorage? source, NodeStorage? target) =>
        source is not null && target is not null
        && string.Equals(source.Kind, target.Kind, StringComparison.Ordinal)
        && string.Equals(source.ClusterFsid, target.ClusterFsid, StringComparison.OrdinalIgnoreCase)
        && string.Equals(source.Pool, target.Pool, StringComparison.Ordinal);

    /// <summary>Instance form of <see cref="SharesDisks"/>.</summary>
    public bool SharesDisksWith(NodeStorage? other) => SharesDisks(this, other);

    /// <summary>In words, for refusals: "Ceph pool 'vms' of cluster 1b2c…".</summary>
    public static string Describe(NodeStorage? storage) =>
        storage is null ? "its own files (qcow2)" : $"{storage.Kind} pool '{storage.Pool}' of Ceph cluster {storage.ClusterFsid}";
}
