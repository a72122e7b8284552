namespace SkillVL.Cli.Input;

/// <summary>
/// A machine named on the command line as <c>ROOM/VM</c>, or <c>OWNER/ROOM/VM</c> for a machine in a room of someone
/// else the caller may see (an admin; a course's teacher), ADR 0038. <see cref="Room"/> keeps <c>OWNER/ROOM</c> whole:
/// the server resolves it, and <c>ApiPaths.Room</c> escapes its slash so it stays one path segment.
/// </summary>
internal sealed record MachineRef(string Room, string Machine)
{
    public const string Expected = "ROOM/VM or OWNER/ROOM/VM (e.g. net-basics/web, alice/net-basics/web)";

    /// <summary>For messages: "machine 'net-basics/web'".</summary>
    public string Subject => $"machine '{this}'";

    public override string ToString() => $"{Room}/{Machine}";

    public static bool TryParse(string value, out MachineRef? machine, out string error)
    {
        machine = null;
        var parts = value.Split('/').Select(p => p.Trim()).ToArray();
        if (parts.Length is not (2 or 3) || parts.Any(p => p.Length == 0))
        {
            error = $"'{value}' is not {Expected}";
            return false;
        }

        machine = new MachineRef(string.Join('/', parts[..^1]), parts[^1]);
        error = "";
        return true;
    }
}
