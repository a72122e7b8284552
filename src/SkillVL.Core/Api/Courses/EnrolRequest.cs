namespace SkillVL.Core.Api.Courses;

/// <summary>Enrols existing users (by username) as students of a course.</summary>
public sealed record EnrolRequest(IReadOnlyList<string>? Usernames);
