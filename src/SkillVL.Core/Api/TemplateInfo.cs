namespace SkillVL.Core.Api;

public sealed record TemplateInfo(
    string Name,
    string Sha256,
    string Boot,
    int DefaultCpus,
    long DefaultMemoryBytes,
    long SizeBytes);
