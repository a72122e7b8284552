namespace SkillVL.Testbed;

/// <summary>What <c>down</c> removed. <see cref="NothingWasUp"/>: there was no state file (and nothing was touched).</summary>
public sealed record DownReport(bool NothingWasUp, int Processes, int Interfaces, int Namespaces, int Directories)
{
    public static DownReport Nothing { get; } = new(true, 0, 0, 0, 0);
}
