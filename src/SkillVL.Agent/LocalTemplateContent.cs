using SkillVL.Core.Templates;
using SkillVL.Drivers.Qemu.Templates;

namespace SkillVL.Agent;

/// <summary>
/// The QEMU node's file template store seen as the content behind a Server's template catalogue (ADR 0036): the host
/// that embeds this node in a Server hands it to the Server, which never sees the store's type.
/// </summary>
internal sealed class LocalTemplateContent(FileTemplateStore store) : ITemplateContentStore
{
    public Task<IReadOnlyList<TemplateImage>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken) => store.ImportAsync(sourceDirectory, cancellationToken);

    public async Task<bool> ContainsAsync(string sha256, CancellationToken cancellationToken) => await store.FindAsync(sha256, cancellationToken) is not null;

    public Task<string?> CheckAsync(string sha256, CancellationToken cancellationToken) => store.CheckAsync(sha256, cancellationToken);

    public Task DeleteAsync(string sha256, CancellationToken cancellationToken) => store.DeleteAsync(sha256, cancellationToken);
}
