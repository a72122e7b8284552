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

    [LoggerMessage(3454, LogLevel.Warning, "Check-out of {Machine}: revived on {Retained} from its retained copy; the copy on {Client} (epoch {Epoch}) is fenced (lost: {Lost}, by {By})")]
    public static partial void Revived(ILogger logger, string machine, string retained, string client, int epoch, bool lost, string by);

    [LoggerMessage(3455, LogLevel.Warning, "Check-out of {Machine}: lease renewal on {Client} failed; the Server's lease is extended as if it had arrived")]
    public static partial void RenewFailed(ILogger logger, string machine, string client, Exception exception);

    [LoggerMessage(3458, LogLevel.Warning, "Check-out of {Machine}: {Client} refused the lease renewal ({Reason}); the Server's lease is left as it was")]
    public static partial void RenewRefused(ILogger logger, string machine, string client, string reason);

    [LoggerMessage(3456, LogLevel.Warning, "Machine {Machine}: the fenced copy on {Client} (epoch {Epoch}) is set aside at {Path} ({Bytes} bytes written after the last sync)")]
    public static partial void FencedOnClient(ILogger logger, string machine, string client, int epoch, string? path, long? bytes);

    [LoggerMessage(3457, LogLevel.Warning, "Machine {Machine}: fencing its copy on {Client} failed; tried again next pass")]
    public static partial void FenceFailed(ILogger logger, string machine, string client, Exception exception);

    [LoggerMessage(3459, LogLevel.Information, "Machine {Machine}: the fenced copy of epoch {Epoch} on {Client} is discarded ({Why})")]
    public static partial void FencedDiscarded(ILogger logger, string machine, int epoch, string client, string why);

    [LoggerMessage(3460, LogLevel.Warning, "Machine {Machine}: discarding the fenced copy of epoch {Epoch} on {Client} failed; tried again next pass")]
    public static partial void FencedDiscardFailed(ILogger logger, string machine, int epoch, string client, Exception exception);
}
