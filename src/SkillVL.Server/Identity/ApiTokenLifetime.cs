using System.Globalization;

namespace SkillVL.Server.Identity;

/// <summary>
/// How long a new personal API token may live (ADR 0015): never past the platform's maximum, and never past the
/// API token it is created with. Pure, so the rules are tested as a table.
/// </summary>
public static class ApiTokenLifetime
{
    /// <summary>The new token's expiry, or why the requested one is refused (for the "expiresInDays" field).</summary>
    /// <param name="requestedDays">Days asked for; null takes the longest allowed.</param>
    /// <param name="max">The platform's maximum lifetime (SkillVL:Auth:MaxApiTokenLifetime).</param>
    /// <param name="parentExpiresAt">The expiry of the API token making the request; null for a login session (or a parent that never expires).</param>
    public static (DateTimeOffset? ExpiresAt, string? Error) Decide(DateTimeOffset now, int? requestedDays, TimeSpan max, DateTimeOffset? parentExpiresAt)
    {
        // Whole seconds, rounded down: what is stored is what is shown, and a child can equal its parent exactly.
        now = Floor(now);
        var limit = Floor(now + max);
        var fromParent = parentExpiresAt is { } parent && parent < limit;
        if (fromParent)
        {
            limit = parentExpiresAt!.Value;
        }

        if (requestedDays is null)
        {
            return (limit, null);
        }

        if (requestedDays < 1)
        {
            return (null, "must be 1 or more (or left out: the longest allowed).");
        }

        if (now + TimeSpan.FromDays(requestedDays.Value) <= limit)
        {
            return (now + TimeSpan.FromDays(requestedDays.Value), null);
        }

        var allowed = (int)Math.Floor((limit - now).TotalDays);
        var most = allowed > 0 ? $"must be at most {allowed}" : "must be left out";
        return (null, fromParent
            ? $"{most}: the API token you are using expires at {limit.ToString("u", CultureInfo.InvariantCulture)} and a token it makes cannot outlive it (left out, the new token gets that expiry)."
            : $"{most}, the platform's maximum token lifetime.");
    }

    private static DateTimeOffset Floor(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
