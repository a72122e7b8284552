namespace SkillVL.Server.Data;

/// <summary>A published room definition of a course (immutable once published).</summary>
public sealed class CourseVersionEntity
{
    public required string CourseId { get; set; }

    public int Version { get; set; }

    /// <summary>Canonical JSON of the room definition.</summary>
    public required string DefinitionJson { get; set; }

    public DateTimeOffset PublishedAt { get; set; }
}
