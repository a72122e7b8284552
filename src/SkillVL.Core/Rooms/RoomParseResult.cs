namespace SkillVL.Core.Rooms;

/// <summary>What <see cref="RoomDocument.Parse"/> made of a document.</summary>
/// <param name="Definition">The room; null when the document is malformed or breaks the schema.</param>
/// <param name="Errors">Every problem found, in document order; empty when the document is valid.</param>
public sealed record RoomParseResult(RoomDefinition? Definition, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Definition is not null && Errors.Count == 0;
}
