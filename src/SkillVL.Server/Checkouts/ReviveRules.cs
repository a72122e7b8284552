using System.Globalization;
using SkillVL.Core.Checkout;

namespace SkillVL.Server.Checkouts;

/// <summary>
/// When a checked-out machine may be revived on its retained node (ADR 0025), as a pure function tested with a table.
/// Who may ask is the room's visibility (its owner, its course's teacher, an admin; others get 404); this is the when:
/// the machine is checked out and not moving, and either its lease ran out (the client has paused its copy) or a human
/// declares the client lost (its copy may then still run offline until it returns and is fenced).
/// </summary>
public static class ReviveRules
{
    /// <param name="machine">"room/machine", for the messages.</param>
    /// <param name="checkedOutTo">The machine's check-out node; null: not checked out.</param>
    /// <param name="leaseExpiresAt">The Server's end of the lease; null: no renewal answered yet.</param>
    /// <param name="now">The Server's clock.</param>
    /// <param name="lost">The caller declares the client lost.</param>
    /// <param name="migrating">A migration (a check-in) of the machine is under way.</param>
    /// <returns>The 409 message, or null when the revive may go ahead.</returns>
    public static string? Check(string machine, string? checkedOutTo, DateTimeOffset? leaseExpiresAt, DateTimeOffset now, bool lost, bool migrating)
    {
        if (checkedOutTo is null)
        {
            return $"{machine} is not checked out: there is nothing to revive";
        }

        if (migrating)
        {
            return $"{machine} is being moved (a check-in?); wait for it or cancel it (skillvl migration list)";
        }

        if (lost || LeaseTerms.HasExpired(leaseExpiresAt, now))
        {
            return null;
        }

        return leaseExpiresAt is { } end
            ? string.Create(CultureInfo.InvariantCulture, $"the check-out lease of {machine} on {checkedOutTo} is valid until {end.UtcDateTime:u}: revive after that, or declare the client lost (--lost)")
            : $"the check-out lease of {machine} on {checkedOutTo} has not been renewed yet: revive only by declaring the client lost (--lost)";
    }
}
