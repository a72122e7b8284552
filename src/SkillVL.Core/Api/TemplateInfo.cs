namespace SkillVL.Core.Api;

/// <param name="Unusable">
/// Why no machine can be created or started from the template's content (e.g. a disk stored by an older version that
/// names a backing file), or null when it is usable. Upload a good disk under the name, or delete the template.
/// </param>
public sealed record TemplateInfo(
    string Name,
    string Sha256,
    string Boot,
    int DefaultCpus,
    long DefaultMemoryBytes,
    long SizeBytes,
    string? Unusable = null);
