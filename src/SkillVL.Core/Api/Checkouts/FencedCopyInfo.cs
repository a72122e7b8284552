namespace SkillVL.Core.Api.Checkouts;

/// <summary>
/// A client's copy of a machine that was revived on a server (ADR 0025). Declared when the machine was revived; fenced
/// when the client came back and its agent stopped that copy and set its disk aside (<paramref name="FencedAt"/> set).
/// The disk is kept on the client, never merged into the machine, never deleted automatically.
/// </summary>
/// <param name="Node">The client holding the copy.</param>
/// <param name="Epoch">The check-out epoch the copy belongs to.</param>
/// <param name="RevivedAt">When the machine was revived (the copy fenced on the Server's side).</param>
/// <param name="RevivedBy">Who revived it.</param>
/// <param name="Lost">Whether the revive declared the client lost (before its lease ran out).</param>
/// <param name="FencedAt">When the client set the copy aside; null: the client has not been back yet.</param>
/// <param name="Path">Where the disk is on the client.</param>
/// <param name="SizeBytes">The disk file's size.</param>
/// <param name="BytesSinceSync">What the client wrote after its last sync, as its dirty bitmap marks it; null: not known.</param>
public sealed record FencedCopyInfo(
    string Node,
    int Epoch,
    DateTimeOffset RevivedAt,
    string RevivedBy,
    bool Lost,
    DateTimeOffset? FencedAt,
    string? Path,
    long? SizeBytes,
    long? BytesSinceSync);
