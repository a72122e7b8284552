namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>A room in a peer's format: the file's text, and every element of the room it does not carry (by its path in
/// the room document).</summary>
public sealed record LabExportResult(string Text, IReadOnlyList<ValidationError> NotMapped);
