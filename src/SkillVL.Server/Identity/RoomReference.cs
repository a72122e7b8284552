namespace SkillVL.Server.Identity;

/// <summary>
/// How a caller names a room (ADR 0038): its id, a name among the caller's own rooms, or <c>OWNER/ROOM</c> — the owner's
/// username (or id) and the room's name — for a room of someone else the caller may see (an admin; a course's teacher
/// for the instances of that course). A plain name stays the caller's own, so a student's "lab" never turns into another
/// user's "lab" for a teacher or admin.
/// </summary>
public sealed record RoomReference(string? Owner, string Name)
{
    /// <summary>
    /// Reads a reference as it arrives in a route value. Kestrel leaves an encoded slash (%2F) encoded in the path (so it
    /// cannot split a segment), so <c>alice%2Fweb</c> reaches the route as written; both that and a decoded
    /// <c>alice/web</c> (a request body, a migration's machine reference) mean the same room.
    /// </summary>
    public static RoomReference Parse(string text)
    {
        var decoded = text.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        var slash = decoded.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 || slash == decoded.Length - 1 || decoded.IndexOf('/', slash + 1) >= 0
            ? new RoomReference(null, decoded)
            : new RoomReference(decoded[..slash], decoded[(slash + 1)..]);
    }

    /// <summary>As the caller wrote it, for messages ("Room 'alice/web' was not found").</summary>
    public override string ToString() => Owner is null ? Name : $"{Owner}/{Name}";
}
