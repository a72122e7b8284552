using SkillVL.Agent;
using SkillVL.Core.Nodes;
using SkillVL.Core.Templates;
using SkillVL.Server.Hosting;

namespace SkillVL.Server.Host;

/// <summary>
/// The embedded node of a SkillVL host (ADR 0036): the agent's QEMU node in the Server's process, its template store the
/// content behind the Server's catalogue.
/// </summary>
public sealed class QemuEmbeddedNodeFactory(ILoggerFactory loggerFactory, TimeProvider time) : IEmbeddedNodeFactory
{
    public async Task<IEmbeddedNode> CreateAsync(SkillVlServerOptions settings, string instanceId, CancellationToken cancellationToken)
    {
        var node = await LocalNodeAgent.CreateAsync(
            new LocalNodeOptions
            {
                DataDirectory = settings.DataDirectory,
                RuntimeDirectory = settings.RuntimeDirectory,
                Accelerator = settings.Accelerator,
                MaxTemplateVirtualSizeBytes = settings.Templates.MaxVirtualSizeBytes,
                InstanceId = instanceId,
            },
            loggerFactory,
            time,
            cancellationToken);
        return new Embedded(node);
    }

    private sealed class Embedded(LocalNodeAgent node) : IEmbeddedNode
    {
        public INodeAgent Agent => node;

        public ITemplateContentStore TemplateContent { get; } = node.TemplateContent;

        public Task WarmUpAsync(string templateSha256, CancellationToken cancellationToken) => node.ResolveAcceleratorAsync(templateSha256, cancellationToken);

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
