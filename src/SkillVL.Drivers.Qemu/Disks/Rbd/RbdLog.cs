using Microsoft.Extensions.Logging;

namespace SkillVL.Drivers.Qemu.Disks.Rbd;

/// <summary>Log lines of the RBD disk store (event ids 1410-1419, among the driver's disks).</summary>
internal static partial class RbdLog
{
    [LoggerMessage(EventId = 1410, Level = LogLevel.Information, Message = "Imported template {Template} into RBD pool {Pool} in {ElapsedMs} ms")]
    public static partial void TemplateImported(this ILogger logger, string template, string pool, long elapsedMs);

    [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Created RBD disk {Pool}/{Image} as a clone of {Parent}")]
    public static partial void CloneCreated(this ILogger logger, string pool, string image, string parent);

    [LoggerMessage(EventId = 1412, Level = LogLevel.Information, Message = "Deleted RBD disk {Pool}/{Image}")]
    public static partial void CloneDeleted(this ILogger logger, string pool, string image);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Information, Message = "Another node imported template {Template} into {Pool} first; dropped our copy")]
    public static partial void TemplateImportLost(this ILogger logger, string template, string pool);

    [LoggerMessage(EventId = 1414, Level = LogLevel.Information, Message = "RBD pool {Pool} of Ceph cluster {Fsid} is reachable as client.{User}")]
    public static partial void PoolReachable(this ILogger logger, string pool, string user, string fsid);

    [LoggerMessage(EventId = 1415, Level = LogLevel.Information, Message = "RBD disk {Pool}/{Image} marked {Mark} (a move that shares the pool)")]
    public static partial void CloneMarked(this ILogger logger, string pool, string image, SharedDiskMark mark);

    [LoggerMessage(EventId = 1416, Level = LogLevel.Information, Message = "RBD disk {Pool}/{Image} kept ({Mark}): another node's QEMU runs on it")]
    public static partial void CloneKept(this ILogger logger, string pool, string image, SharedDiskMark mark);
}
