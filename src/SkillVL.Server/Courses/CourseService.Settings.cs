using Microsoft.EntityFrameworkCore;
using SkillVL.Core.Api.Courses;
using SkillVL.Core.Rooms;
using SkillVL.Server.Data;
using SkillVL.Server.Identity;

namespace SkillVL.Server.Courses;

/// <summary>A course's settings changed by its teacher or an admin (PATCH /courses/{course}).</summary>
public sealed partial class CourseService
{
    /// <summary>
    /// Checks every field first and changes nothing when one is wrong, then writes them in one save. A quota, when given,
    /// replaces the course's own limits as a whole (a field left null is no limit of the course's own, so the platform's
    /// course default applies); like at creation, only an admin may set one above that default.
    /// </summary>
    public async Task<CourseResult<CourseEntity>> UpdateAsync(CurrentUser caller, CourseEntity course, UpdateCourseRequest request, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        long? leaseSeconds = null;
        if (request.CheckoutLease is { } leaseText && leaseText.Trim() != "default")
        {
            if (Core.Checkout.LeaseTerms.TryParse(leaseText, out var lease) && Core.Checkout.LeaseTerms.InRange(lease))
            {
                leaseSeconds = (long)Math.Ceiling(lease.TotalSeconds);
            }
            else
            {
                errors.Add(new("checkoutLease", $"'{leaseText}' is not a lease: a number and a unit (s, m, h, d), 10s to 365d, or \"default\""));
            }
        }

        errors.AddRange(TitleAndQuotaErrors(caller, request.Title, request.Quota));
        if (errors.Count > 0)
        {
            return CourseResults.Invalid<CourseEntity>(errors);
        }

        var row = await db.Courses.FirstAsync(c => c.Id == course.Id, ct);
        if (request.Title is { } title)
        {
            row.Title = title.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        }

        if (request.CheckoutLease is not null)
        {
            row.CheckoutLeaseSeconds = leaseSeconds;
        }

        if (request.AllowClientNodes is { } allow)
        {
            row.AllowClientNodes = allow;
        }

        if (request.Quota is { } quota)
        {
            (row.QuotaCpus, row.QuotaMemoryBytes, row.QuotaDiskBytes, row.QuotaRunningVms) = (quota.Cpus, quota.MemoryBytes, quota.DiskBytes, quota.RunningVms);
        }

        await db.SaveChangesAsync(ct);
        return CourseResults.Ok(row);
    }

    /// <summary>What creating and changing a course check alike: the title's length, the quota's values, and that only an
    /// admin sets a quota above the platform's course default.</summary>
    private IEnumerable<ValidationError> TitleAndQuotaErrors(CurrentUser caller, string? title, Core.Api.Identity.QuotaLimits? quota)
    {
        if (title is { Length: > 200 })
        {
            yield return new("title", "may have at most 200 characters.");
        }

        foreach (var error in Quotas.QuotaLimitErrors.For(quota, "quota."))
        {
            yield return error;
        }

        if (!caller.IsAdmin)
        {
            foreach (var error in AboveDefault(quota, quotas.CourseDefault))
            {
                yield return error;
            }
        }
    }
}
