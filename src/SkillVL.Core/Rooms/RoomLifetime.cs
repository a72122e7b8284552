namespace SkillVL.Core.Rooms;

/// <summary>
/// How long a room lives (issue 18, ADR 0058): its machines are stopped <see cref="StopAfter"/> after the room was created,
/// and the room is deleted <see cref="DeleteAfter"/> after that (after its creation when it has no stopAfter); a machine
/// idle for <see cref="IdleStopAfter"/> is stopped (ADR 0061). Durations are written "90s", "45m", "8h" or "7d".
/// </summary>
public sealed record RoomLifetime
{
    /// <summary>Time from the room's creation until its machines are stopped; null: they run until stopped.</summary>
    public string? StopAfter { get; init; }

    /// <summary>Grace after the stop (or after creation) until the room is deleted; null: it is kept.</summary>
    public string? DeleteAfter { get; init; }

    /// <summary>A running machine with no console open and its CPU below the Server's idle threshold for this long is
    /// stopped (ADR 0061); its owner may start it again. Null: machines are never stopped for idleness.</summary>
    public string? IdleStopAfter { get; init; }

    /// <summary>When the machines stop, for a room created at <paramref name="createdAt"/>; null when never.</summary>
    public DateTimeOffset? StopsAt(DateTimeOffset createdAt) =>
        LifetimeDuration.TryParse(StopAfter, out var stop) ? createdAt + stop : null;

    /// <summary>When the room is deleted, for a room created at <paramref name="createdAt"/>; null when never.</summary>
    public DateTimeOffset? DeletesAt(DateTimeOffset createdAt) =>
        LifetimeDuration.TryParse(DeleteAfter, out var grace) ? (StopsAt(createdAt) ?? createdAt) + grace : null;
}
