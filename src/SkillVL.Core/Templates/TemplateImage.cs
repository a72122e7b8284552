namespace SkillVL.Core.Templates;

/// <summary>A VM template: a base disk (and for kernel boot a kernel and initrd), content-addressed.</summary>
/// <param name="Name">Human name, e.g. "tiny".</param>
/// <param name="Sha256">Content address over all of the template's files; clones refer to this.</param>
/// <param name="Boot">How it boots.</param>
/// <param name="DefaultCpus">CPUs a machine gets when the room does not say.</param>
/// <param name="DefaultMemoryBytes">RAM a machine gets when the room does not say.</param>
/// <param name="SizeBytes">Bytes on disk of the template's files.</param>
public sealed record TemplateImage(
    string Name,
    string Sha256,
    BootMethod Boot,
    int DefaultCpus,
    long DefaultMemoryBytes,
    long SizeBytes);
