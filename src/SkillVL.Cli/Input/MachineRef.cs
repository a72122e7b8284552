namespace SkillVL.Cli.Input;

/// <summary>A machine named on the command line as <c>ROOM/VM</c>.</summary>
internal sealed record MachineRef(string Room, string Machine)
{
    /// <summary>For messages: "machine 'net-basics/web'".</summary>
    public string Subject => $"machine '{this}'";

    public override string ToString() => $"{Room}/{Machine}";

    public static bool TryParse(string value, out MachineRef? machine, out string error)
    {
        machine = null;
        var parts = value.Split('/');
        if (parts.Length != 2 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
        {
            error = $"'{value}' is not ROOM/VM (e.g. net-basics/web)";
            return false;
        }

        machine = new MachineRef(parts[0].Trim(), parts[1].Trim());
        error = "";
        return true;
    }
}
