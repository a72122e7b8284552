namespace SkillVL.Core.Api.Courses;

/// <summary>A change to a course's settings; a field left out stays as it is.</summary>
/// <param name="AllowClientNodes">Whether students may move their instance's machines onto their own client node (issue 12).</param>
/// <param name="CheckoutLease">The check-out lease of the course's instances (ADR 0025), e.g. "2d", "36h", "90m" (10 s
/// to 365 days); "default" returns to the platform's.</param>
/// <param name="Title">The title students see (at most 200 characters); "" removes it (issue 17: a course is edited in the web).</param>
/// <param name="Quota">The course's own limits over all its instances, replacing the ones it had as a whole (a field left
/// null: none of its own, the platform's course default applies); above that default only for an admin.</param>
public sealed record UpdateCourseRequest(bool? AllowClientNodes = null, string? CheckoutLease = null, string? Title = null, Identity.QuotaLimits? Quota = null);
