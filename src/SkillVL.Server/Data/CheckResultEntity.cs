namespace SkillVL.Server.Data;

/// <summary>
/// The latest result of one check of a room (issue 17, ADR 0042). Only the latest run is kept: a run replaces the room's
/// rows as a whole, so the table stays at most one row per check per room; the audit log keeps who ran checks when.
/// The rows go with their room (cascade).
/// </summary>
public sealed class CheckResultEntity
{
    public required string RoomId { get; set; }

    /// <summary>The check's name in the room's definition at the time of the run.</summary>
    public required string Name { get; set; }

    /// <summary>The check's place in the definition, so results list in the teacher's order.</summary>
    public int Position { get; set; }

    public bool Passed { get; set; }

    /// <summary>Exit status and an excerpt of the check's own output, or why it could not run (at most 400 characters).</summary>
    public required string Detail { get; set; }

    public DateTimeOffset RanAt { get; set; }

    /// <summary>The username of who asked for the run (the student, their teacher or an admin).</summary>
    public required string RanBy { get; set; }
}
