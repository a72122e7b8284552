namespace SkillVL.Testbed;

/// <summary>What <c>down</c> removed (<see cref="ServerNodes"/>: nodes the Server removed at its request). <see cref="NothingWasUp"/>: there was no state file (and nothing was touched).</summary>
public sealed record DownReport(bool NothingWasUp, int Processes, int Interfaces, int Namespaces, int Directories, int ServerNodes = 0)
{
    public static DownReport Nothing { get; } = new(true, 0, 0, 0, 0);
}
