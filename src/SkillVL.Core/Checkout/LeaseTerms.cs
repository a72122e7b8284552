using System.Globalization;

namespace SkillVL.Core.Checkout;

/// <summary>
/// The arithmetic of check-out leases (ADR 0025), pure so it is tested with a table. The Server renews by calling the
/// client; the client's deadline is its own clock when the call <em>arrived</em> plus the duration, the Server's is its
/// clock when the client's <em>answer</em> arrived plus the duration. The answer arrives after the call did, so the
/// client's deadline passes first whatever the two clocks say (only their rates matter; Gray and Cheriton, 1989): once
/// the Server's lease has run out, the client has already paused the VM.
/// </summary>
public static class LeaseTerms
{
    /// <summary>The shortest lease a setting may name: tests use tens of seconds, nothing shorter makes sense.</summary>
    public static readonly TimeSpan Shortest = TimeSpan.FromSeconds(10);

    /// <summary>The longest: a lease of a year is no lease.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(365);

    /// <summary>How far a client's clock may be from the Server's for a check-out to it (its lease's wall-clock deadline,
    /// kept for restarts, would be off by as much).</summary>
    public static readonly TimeSpan MaxClockOffset = TimeSpan.FromMinutes(2);

    /// <summary>The Server's end of a lease renewed with <paramref name="duration"/> whose answer arrived at
    /// <paramref name="answerArrivedAt"/> (the Server's clock).</summary>
    public static DateTimeOffset ServerExpiry(DateTimeOffset answerArrivedAt, TimeSpan duration) => answerArrivedAt + duration;

    /// <summary>The client's end of a lease whose renewal arrived at <paramref name="callArrivedAt"/> (the client's clock).</summary>
    public static DateTimeOffset ClientDeadline(DateTimeOffset callArrivedAt, TimeSpan duration) => callArrivedAt + duration;

    /// <summary>How often the Server renews a lease of <paramref name="lease"/>: a third of it (two renewals may fail
    /// before it runs out), at most every minute.</summary>
    public static TimeSpan RenewEvery(TimeSpan lease) => lease / 3 < TimeSpan.FromMinutes(1) ? lease / 3 : TimeSpan.FromMinutes(1);

    /// <summary>Whether a lease that ends at <paramref name="expiresAt"/> has run out at <paramref name="now"/>; a lease
    /// never renewed (null) has not (it is not known to exist).</summary>
    public static bool HasExpired(DateTimeOffset? expiresAt, DateTimeOffset now) => expiresAt is { } end && now >= end;

    /// <summary>
    /// Why a node must not start <paramref name="lease"/>'s VM as the live copy at <paramref name="now"/>, or null when it
    /// may (no lease: the VM is not checked out to this node). The start path of the driver asks this before any start.
    /// </summary>
    public static string? StartRefusal(CheckoutLease? lease, DateTimeOffset now) => lease switch
    {
        null => null,
        { Fenced: true } => $"VM {lease.VmId}: this copy (check-out epoch {lease.Epoch}) was fenced — the machine was revived on a server from its last synced copy; it will not start here (the disk is kept as a fenced copy)",
        _ when now >= lease.ExpiresAt => $"VM {lease.VmId}: its check-out lease expired at {lease.ExpiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)} (epoch {lease.Epoch}); it starts again only after the Server renews the lease",
        _ => null,
    };

    /// <summary>Whether a client whose clock read <paramref name="clientClock"/> when the Server's read
    /// <paramref name="serverClock"/> is too far off for a check-out; <paramref name="offset"/> is client minus Server.</summary>
    public static bool ClockTooFarOff(DateTimeOffset clientClock, DateTimeOffset serverClock, out TimeSpan offset)
    {
        offset = clientClock - serverClock;
        return offset.Duration() > MaxClockOffset;
    }

    /// <summary>Parses a lease as people write it: "7d", "36h", "90m", "40s" — the platform's durations
    /// (<see cref="Migration.MigrationQuantities.TryParseDuration"/>), and only a positive one.</summary>
    public static bool TryParse(string? text, out TimeSpan lease) =>
        Migration.MigrationQuantities.TryParseDuration(text, out lease) && lease > TimeSpan.Zero;

    /// <summary>Whether <paramref name="lease"/> lies within <see cref="Shortest"/> and <see cref="Longest"/>.</summary>
    public static bool InRange(TimeSpan lease) => lease >= Shortest && lease <= Longest;

    /// <summary>A lease as <see cref="TryParse"/> reads it back, in its largest whole unit ("7d", "90m", "40s").</summary>
    public static string Format(TimeSpan lease) => lease switch
    {
        _ when lease.Ticks % TimeSpan.TicksPerDay == 0 => string.Create(CultureInfo.InvariantCulture, $"{lease.Ticks / TimeSpan.TicksPerDay}d"),
        _ when lease.Ticks % TimeSpan.TicksPerHour == 0 => string.Create(CultureInfo.InvariantCulture, $"{lease.Ticks / TimeSpan.TicksPerHour}h"),
        _ when lease.Ticks % TimeSpan.TicksPerMinute == 0 => string.Create(CultureInfo.InvariantCulture, $"{lease.Ticks / TimeSpan.TicksPerMinute}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(long)lease.TotalSeconds}s"),
    };
}
