namespace SkillVL.Server.Checks;

/// <summary>Log messages of exercise checks (ADR 0042). Event ids 3960–3979.</summary>
internal static partial class ChecksLog
{
    [LoggerMessage(3960, LogLevel.Information, "Room {RoomId}: {Passed} of {Total} check(s) passed, run by {User}")]
    public static partial void Ran(ILogger logger, string roomId, int passed, int total, string user);

    [LoggerMessage(3961, LogLevel.Warning, "Room {RoomId}: check {Check} could not run in machine {MachineId}")]
    public static partial void NodeFailed(ILogger logger, Exception exception, string roomId, string check, string machineId);
}
