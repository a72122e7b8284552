namespace SkillVL.Server.Apis.Snapshots;

/// <summary>Log messages of machine snapshots; event ids 3900–3919.</summary>
public static partial class SnapshotLog
{
    [LoggerMessage(3900, LogLevel.Information, "Snapshot {Name} of {Machine} taken by {User} (with RAM: {WithRam}, {Bytes} bytes counted)")]
    public static partial void Created(ILogger logger, string name, string machine, string user, bool withRam, long bytes);

    [LoggerMessage(3901, LogLevel.Information, "Snapshot {Name} of {Machine}: reverted to")]
    public static partial void Reverted(ILogger logger, string name, string machine);

    [LoggerMessage(3902, LogLevel.Information, "Snapshot {Name} of {Machine}: deleted")]
    public static partial void Deleted(ILogger logger, string name, string machine);

    [LoggerMessage(3903, LogLevel.Warning, "Snapshot {Name} of {Machine} is no longer on its node {Node}; its record is dropped")]
    public static partial void Vanished(ILogger logger, string name, string machine, string node);

    [LoggerMessage(3904, LogLevel.Warning, "Snapshot {Name} of {Machine} over the quota could not be deleted on its node again")]
    public static partial void UndoFailed(ILogger logger, string name, string machine, Exception exception);
}
