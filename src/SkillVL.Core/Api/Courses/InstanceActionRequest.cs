namespace SkillVL.Core.Api.Courses;

/// <summary>
/// A teacher's action on many students' instances at once (the class view, issue 17): <c>start</c>, <c>stop</c>,
/// <c>reset</c> or <c>check</c>.
/// </summary>
/// <param name="Action">start | stop | reset | check.</param>
/// <param name="Students">Usernames of enrolled students; empty or absent: every enrolled student.</param>
public sealed record InstanceActionRequest(string? Action, IReadOnlyList<string>? Students = null);
