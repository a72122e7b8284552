namespace SkillVL.Server.Rooms;

internal static partial class RoomLifetimeLog
{
    [LoggerMessage(EventId = 4700, Level = LogLevel.Information, Message = "Room {Room}: its lifetime ended at {StopAt:o}; its machines are stopped")]
    public static partial void Stopped(ILogger logger, string room, DateTimeOffset stopAt);

    [LoggerMessage(EventId = 4701, Level = LogLevel.Information, Message = "Room {Room}: deleted at the end of its lifetime ({DeleteAt:o})")]
    public static partial void Deleted(ILogger logger, string room, DateTimeOffset deleteAt);

    [LoggerMessage(EventId = 4702, Level = LogLevel.Warning, Message = "Rooms' lifetimes: one look failed; the next one tries again")]
    public static partial void Failed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4703, Level = LogLevel.Information, Message = "Room {Room}: machine {Machine} was idle for {IdleMinutes:F1} min (lifetime.idleStopAfter {IdleStopAfter}); it is stopped")]
    public static partial void IdleStopped(ILogger logger, string room, string machine, double idleMinutes, string idleStopAfter);
}
