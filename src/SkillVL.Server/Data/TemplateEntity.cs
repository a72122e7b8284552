namespace SkillVL.Server.Data;

public sealed class TemplateEntity
{
    public required string Name { get; set; }

    public required string Sha256 { get; set; }

    public required string Boot { get; set; }

    public int DefaultCpus { get; set; }

    public long DefaultMemoryBytes { get; set; }

    public long SizeBytes { get; set; }

    public DateTimeOffset RegisteredAt { get; set; }
}
