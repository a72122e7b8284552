namespace SkillVL.Server.Hosting;

/// <summary>
/// Makes the embedded node (ADR 0036). The Server references no agent and no driver: the host that composes it
/// registers the factory, and the Server's start calls it once.
/// </summary>
public interface IEmbeddedNodeFactory
{
    /// <param name="settings">The Server's settings: data and runtime directories, accelerator, template limits.</param>
    /// <param name="instanceId">The installation's id (<see cref="InstanceIdentity"/>), which tags the node's interfaces.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    Task<IEmbeddedNode> CreateAsync(SkillVlServerOptions settings, string instanceId, CancellationToken cancellationToken);
}
