using SkillVL.Core.Api.Identity;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Quotas;

/// <summary>
/// The check of a quota a user or a course is given, shared by the users API and course settings; it lives with the
/// quotas, not in the HTTP layer, so course settings need not reach up into it (ADR 0048).
/// </summary>
public static class QuotaLimitErrors
{
    /// <summary>Negative limits are nonsense; zero is allowed (nothing at all).</summary>
    public static List<ValidationError> For(QuotaLimits? limits, string prefix)
    {
        var errors = new List<ValidationError>();
        if (limits is null)
        {
            return errors;
        }

        if (limits.Cpus < 0)
        {
            errors.Add(new(prefix + "cpus", "must be 0 or more."));
        }

        if (limits.MemoryBytes < 0)
        {
            errors.Add(new(prefix + "memoryBytes", "must be 0 or more."));
        }

        if (limits.DiskBytes < 0)
        {
            errors.Add(new(prefix + "diskBytes", "must be 0 or more."));
        }

        if (limits.RunningVms < 0)
        {
            errors.Add(new(prefix + "runningVms", "must be 0 or more."));
        }

        return errors;
    }
}
