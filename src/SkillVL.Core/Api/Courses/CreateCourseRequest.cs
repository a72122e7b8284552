using SkillVL.Core.Api.Identity;

namespace SkillVL.Core.Api.Courses;

/// <param name="AllowClientNodes">
/// Whether students may move their instance's machines onto their own client node (issue 12). Default false.
/// </param>
public sealed record CreateCourseRequest(string? Name, string? Title = null, QuotaLimits? Quota = null, bool? AllowClientNodes = null);
