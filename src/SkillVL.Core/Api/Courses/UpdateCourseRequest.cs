namespace SkillVL.Core.Api.Courses;

/// <summary>A change to a course's settings; a field left out stays as it is.</summary>
/// <param name="AllowClientNodes">Whether students may move their instance's machines onto their own client node (issue 12).</param>
public sealed record UpdateCourseRequest(bool? AllowClientNodes = null);
