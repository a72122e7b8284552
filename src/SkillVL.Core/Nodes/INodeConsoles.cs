namespace SkillVL.Core.Nodes;

/// <summary>
/// A node's VM consoles as byte streams (ADR 0036): the Server's console gateway relays bytes between the browser and
/// whatever the node hands back, without knowing whether that is a unix socket in its own process, an agent's
/// connection back to the Server, or (later) a hypervisor's own console proxy.
/// </summary>
public interface INodeConsoles
{
    /// <summary>
    /// Opens the console <paramref name="kind"/> ("vnc": RFB; "spice": one SPICE channel, ADR 0056; "serial": the guest's ttyS0) of a VM on this node. The
    /// caller owns the stream: disposing it ends the session on the node too. A console that cannot be reached throws a
    /// <see cref="Errors.DriverException"/>.
    /// </summary>
    Task<Stream> OpenAsync(string vmId, string kind, CancellationToken cancellationToken);
}
