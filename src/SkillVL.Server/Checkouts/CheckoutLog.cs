namespace SkillVL.Server.Checkouts;

/// <summary>Log messages of check-outs' background sync; event ids 3450–3469.</summary>
public static partial class CheckoutLog
{
    [LoggerMessage(3450, LogLevel.Information, "Check-out of {Machine}: synced {Bytes} bytes from {Client} into the retained copy on {Retained} in {Ms} ms (full copy: {Full}); {Unsynced} bytes unsynced")]
    public static partial void Synced(ILogger logger, string machine, long bytes, string client, string retained, double ms, bool full, long? unsynced);

    [LoggerMessage(3451, LogLevel.Warning, "Check-out of {Machine}: sync failed; retried at the next interval")]
    public static partial void SyncFailed(ILogger logger, string machine, Exception exception);

    [LoggerMessage(3452, LogLevel.Warning, "Check-out of {Machine}: closing the retained copy's export on {Node} failed")]
    public static partial void CloseFailed(ILogger logger, string machine, string node, Exception exception);

    // 3468: at the end of the range, clear of the ids the lease and offline work adds from 3454 up.
    [LoggerMessage(3468, LogLevel.Warning, "Check-out of {Machine} (migration {Migration}): the retained copy on {Node} could not be kept; the machine moved to {Client} but is not checked out")]
    public static partial void NotRetained(ILogger logger, string machine, string migration, string node, string client, Exception exception);

    [LoggerMessage(3453, LogLevel.Warning, "Deleting the retained copy of {Machine} on {Node} failed; retried with the room's deletion")]
    public static partial void ReleaseFailed(ILogger logger, string machine, string node, Exception exception);
}
