using SkillVL.Core.Api.Checks;

namespace SkillVL.Core.Api.Courses;

/// <summary>What a class-view action did for one student (some may fail while the others go through).</summary>
/// <param name="Student">The student's username.</param>
/// <param name="RoomId">Their instance's room id; null: they have no instance.</param>
/// <param name="Outcome"><c>accepted</c> (a task started), <c>checked</c> (the checks ran), <c>no-instance</c>, or
/// <c>refused</c> (with the reason in <paramref name="Message"/>).</param>
/// <param name="Status">The HTTP status the per-room route would have answered (202, 200, 404, 409, 422, 429).</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="Task">The started task (start, stop, reset).</param>
/// <param name="Checks">The check results (check).</param>
public sealed record InstanceActionOutcome(
    string Student,
    string? RoomId,
    string Outcome,
    int Status,
    string Message,
    TaskInfo? Task = null,
    IReadOnlyList<CheckResultInfo>? Checks = null)
{
    public const string Accepted = "accepted";
    public const string Checked = "checked";
    public const string NoInstance = "no-instance";
    public const string Refused = "refused";
}
