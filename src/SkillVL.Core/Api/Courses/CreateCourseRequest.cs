using SkillVL.Core.Api.Identity;

namespace SkillVL.Core.Api.Courses;

public sealed record CreateCourseRequest(string? Name, string? Title = null, QuotaLimits? Quota = null);
