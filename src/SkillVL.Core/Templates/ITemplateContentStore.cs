namespace SkillVL.Core.Templates;

/// <summary>
/// The content behind the Server's template catalogue (ADR 0036): the files of each template content, by content
/// address. The catalogue (names, health, who uses what) is the Server's; nodes are told to provision a content when a
/// disk or a migration needs it, and fetch it from the Server. The host that composes the Server decides where the
/// content lives.
/// </summary>
public interface ITemplateContentStore : ITemplateStore
{
    /// <summary>Whether the store holds the content <paramref name="sha256"/>.</summary>
    Task<bool> ContainsAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>
    /// Inspects a stored content's disk as an upload is inspected (issue 11): what makes it unusable, or null when it is
    /// fine or the store does not have it.
    /// </summary>
    Task<string?> CheckAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Removes a content (the caller made sure nothing uses it).</summary>
    Task DeleteAsync(string sha256, CancellationToken cancellationToken);
}
