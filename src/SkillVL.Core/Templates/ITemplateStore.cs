namespace SkillVL.Core.Templates;

/// <summary>The templates a node has (its base-image cache).</summary>
public interface ITemplateStore
{
    Task<IReadOnlyList<TemplateImage>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Imports a template from a directory produced by a template build (images/*/build.sh): it is copied
    /// into the store under its content address. Importing the same content twice is a no-op. A disk that is not one
    /// standalone qcow2 (a backing or data file, encryption, corruption, an absurd virtual size) is refused with a
    /// non-transient error and nothing is kept (issue 11).
    /// </summary>
    Task<TemplateImage> ImportAsync(string sourceDirectory, CancellationToken cancellationToken);
}
