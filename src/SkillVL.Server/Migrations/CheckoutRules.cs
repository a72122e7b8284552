using SkillVL.Core.Rooms;

namespace SkillVL.Server.Migrations;

/// <summary>
/// What a check-out or check-in (ADR 0023) asks of the machine and the target beyond any move's checks, as a pure
/// function (tested with a table): a check-out goes to a client node and starts from a machine that is not checked out;
/// a check-in needs one that is; a plain move of a checked-out machine is refused, since it would leave the retained copy
/// behind and the next check-in returning onto a disk that no longer matches.
/// </summary>
public static class CheckoutRules
{
    /// <summary><see cref="Data.MigrationEntity.Purpose"/> of a check-out.</summary>
    public const string Checkout = "checkout";

    /// <summary><see cref="Data.MigrationEntity.Purpose"/> of a check-in.</summary>
    public const string Checkin = "checkin";

    /// <summary>The disk transfer of a check-in: only what changed since the last sync goes onto the retained copy.</summary>
    public const string Incremental = "incremental";

    /// <param name="purpose">Null (a plain move), <see cref="Checkout"/> or <see cref="Checkin"/>.</param>
    /// <param name="machine">"room/machine", for the messages.</param>
    /// <param name="checkedOutTo">The machine's current check-out node; null: not checked out.</param>
    /// <param name="to">The target node's name.</param>
    /// <param name="targetKind">The target's kind ("server", "client"), or null when no node has that name.</param>
    /// <returns>The refusal (400 naming <c>to</c>, or 409), or null.</returns>
    public static CreateMigrationResult? Check(string? purpose, string machine, string? checkedOutTo, string to, string? targetKind)
    {
        switch (purpose)
        {
            case null when checkedOutTo is not null:
                return new(Conflict: $"{machine} is checked out to {checkedOutTo}: check it in first (skillvl vm checkin {machine})");
            case null:
                return null;
            case Checkout when checkedOutTo is not null:
                return new(Conflict: $"{machine} is already checked out to {checkedOutTo}: check it in first (skillvl vm checkin {machine})");
            case Checkout when targetKind is null:
                return new(Errors: [new ValidationError("to", $"no node is named '{to}' (skillvl node list)")]);
            case Checkout when targetKind != ReverseMigration.ClientKind:
                return new(Errors: [new ValidationError("to", $"node '{to}' is a {targetKind} node: a check-out goes to a client node (a user's own machine); move it with skillvl vm migrate instead")]);
            case Checkout:
                return null;
            case Checkin when checkedOutTo is null:
                return new(Conflict: $"{machine} is not checked out: nothing to check in");
            case Checkin:
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "not a migration purpose");
        }
    }

    /// <summary>
    /// A check-out to a client whose clock is far from the Server's (ADR 0025) is refused (400 naming <c>to</c>): the
    /// client keeps its lease's deadline as wall time for restarts, and a clock minutes off makes that deadline wrong.
    /// </summary>
    /// <param name="to">The target's name.</param>
    /// <param name="clockOffsetSeconds">The client's clock minus the Server's, as its last heartbeat showed; null: not
    /// known (an older agent), not refused.</param>
    public static CreateMigrationResult? ClockRefusal(string to, double? clockOffsetSeconds)
    {
        if (clockOffsetSeconds is not { } offset || TimeSpan.FromSeconds(Math.Abs(offset)) <= Core.Checkout.LeaseTerms.MaxClockOffset)
        {
            return null;
        }

        var direction = offset > 0 ? "ahead of" : "behind";
        return new(Errors: [new ValidationError("to", string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"the clock of node '{to}' is {Math.Abs(offset):0} s {direction} the Server's (at most {Core.Checkout.LeaseTerms.MaxClockOffset.TotalSeconds:0} s for a check-out): set its time (NTP) and try again"))]);
    }
}
