namespace SkillVL.Core.Api.Checkouts;

/// <summary>Where a machine is checked out (ADR 0023): it runs on <paramref name="Node"/>, a client, while
/// <paramref name="RetainedOn"/> keeps the copy of its disk that the background sync keeps close and a check-in returns to.</summary>
/// <param name="Node">The client node it runs on.</param>
/// <param name="RetainedOn">The server node holding the retained copy.</param>
/// <param name="Since">When the check-out switched over.</param>
/// <param name="LastSyncAt">When the last successful sync ended; null: none yet (the copy is as of <paramref name="Since"/>).</param>
/// <param name="UnsyncedBytes">What the client's bitmap marked when last asked (whole 64 KiB clusters); null: not known.</param>
/// <param name="SyncedBytes">Bytes all syncs of this check-out copied into the retained copy.</param>
/// <param name="LeaseExpiresAt">When the check-out's lease runs out as the Server counts it (ADR 0025): after it the client
/// has paused the VM and it may be revived from the retained copy; null: no renewal answered yet.</param>
/// <param name="Epoch">The machine's check-out epoch: raised by each check-out and each revive; a client's copy of an
/// older epoch is fenced.</param>
public sealed record CheckoutInfo(
    string Node,
    string RetainedOn,
    DateTimeOffset Since,
    DateTimeOffset? LastSyncAt,
    long? UnsyncedBytes,
    long SyncedBytes,
    DateTimeOffset? LeaseExpiresAt = null,
    int Epoch = 0);
