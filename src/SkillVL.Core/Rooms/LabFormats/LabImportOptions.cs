namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>How an import names the room and picks templates for the source's images.</summary>
public sealed record LabImportOptions
{
    /// <summary>The template a machine gets when its image has no entry in <see cref="Templates"/>.</summary>
    public const string DefaultTemplateName = "tiny";

    /// <summary>The room's name; absent: the source's name (or the file's), made a valid name.</summary>
    public string? Name { get; init; }

    /// <summary>Source image (containerlab image or kind, KYPO base box image, Ludus template) → SkillVL template.</summary>
    public IReadOnlyDictionary<string, string> Templates { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The template of a machine whose image is not in <see cref="Templates"/>.</summary>
    public string DefaultTemplate { get; init; } = DefaultTemplateName;

    /// <summary>The source file's name, for a room name when the source has none.</summary>
    public string? FileName { get; init; }
}
