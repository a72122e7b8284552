namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// An import's outcome: the room (valid against the room schema and validator) and what it does not carry; or, when the
/// file cannot become a room, the errors (each naming its place in the file) and no room.
/// </summary>
public sealed record LabImportResult(RoomDefinition? Room, IReadOnlyList<ImportNote> NotMapped, IReadOnlyList<ValidationError> Errors)
{
    public static LabImportResult Failed(ValidationError error) => new(null, [], [error]);
}
