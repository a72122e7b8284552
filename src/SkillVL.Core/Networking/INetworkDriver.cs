namespace SkillVL.Core.Networking;

/// <summary>Realises room networks on one node. Idempotent, like <see cref="Compute.IVmDriver"/>.</summary>
public interface INetworkDriver
{
    /// <summary>Ids of the networks this SkillVL instance has on the node.</summary>
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken);

    Task EnsureAsync(NetworkSpec network, CancellationToken cancellationToken);

    Task DeleteAsync(string networkId, CancellationToken cancellationToken);
}
