using SkillVL.Core.Nodes;
using SkillVL.Core.Templates;

namespace SkillVL.Server.Hosting;

/// <summary>
/// The node that runs inside the Server's process in embedded mode (ADR 0036), made at start by the
/// <see cref="IEmbeddedNodeFactory"/> the host registered. The Server uses it only through the node contract and the
/// template content store; disposing it lets go of sockets only, the VMs keep running.
/// </summary>
public interface IEmbeddedNode : IAsyncDisposable
{
    INodeAgent Agent { get; }

    /// <summary>Where the Server's template catalogue keeps its content.</summary>
    ITemplateContentStore TemplateContent { get; }

    /// <summary>Readies the node for its first VM before the Server listens (a QEMU node decides its accelerator, booting
    /// <paramref name="templateSha256"/> once to probe KVM), so the first room does not wait.</summary>
    Task WarmUpAsync(string templateSha256, CancellationToken cancellationToken);
}
