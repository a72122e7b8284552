namespace SkillVL.Core.Api.Courses;

/// <summary>An enrolled student and their instance of the course's room, if one exists.</summary>
public sealed record StudentInfo(string UserId, string Username, DateTimeOffset EnrolledAt, CourseInstanceInfo? Instance);
