using SkillVL.Core.Api.Identity;

namespace SkillVL.Core.Api.Courses;

/// <summary>A course: a teacher, enrolled students, and published room versions each student gets an instance of.</summary>
/// <param name="Name">Unique, DNS-label style (e.g. "net101").</param>
/// <param name="LatestVersion">0 until the first publish.</param>
/// <param name="Quota">Limits over all instances of the course together.</param>
/// <param name="AllowClientNodes">Whether students may move their instance's machines onto their own client node (issue 12).</param>
/// <param name="CheckoutLease">The course's own check-out lease ("2d"); null: the platform's (ADR 0025).</param>
public sealed record CourseInfo(
    string Id,
    string Name,
    string? Title,
    string Teacher,
    int Students,
    int LatestVersion,
    QuotaLimits? Quota,
    DateTimeOffset CreatedAt,
    bool AllowClientNodes = false,
    string? CheckoutLease = null);
