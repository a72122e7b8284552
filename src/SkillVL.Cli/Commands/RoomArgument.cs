namespace SkillVL.Cli.Commands;

/// <summary>What every command that names a room says it takes (ADR 0038).</summary>
internal static class RoomArgument
{
    public const string Description =
        "The room: its name (one of your own rooms), OWNER/ROOM (another user's room you may see: an admin, or the teacher of its course), or its id";
}
