using SkillVL.Core.Templates;

namespace SkillVL.Server.Templates;

/// <summary>
/// The content behind the Server's template catalogue (ADR 0036), opened at start by the host's embedded node: uploads
/// are imported into it, deletes remove from it, and agent nodes fetch from it. The Server reaches it only through
/// <see cref="ITemplateContentStore"/>, never through a node's own store.
/// </summary>
public sealed class TemplateContent
{
    private volatile ITemplateContentStore? _store;

    /// <summary>The store; before the start opened it (the API is not served then) this is an error.</summary>
    public ITemplateContentStore Store => _store ?? throw new InvalidOperationException("The template content store is not open yet (the Server is starting).");

    /// <summary>Called once at start.</summary>
    public void Open(ITemplateContentStore store) => _store = store;
}
