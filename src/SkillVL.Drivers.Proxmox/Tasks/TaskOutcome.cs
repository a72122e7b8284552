namespace SkillVL.Drivers.Proxmox.Tasks;

/// <summary>
/// A stopped PVE task: its exit status and its log. <c>OK</c> and <c>WARNINGS: n</c> are success (Telmate PR #247 fixed
/// the bug of treating warnings as failure; the captured qmstart answer is in the fixtures); anything else is the error.
/// </summary>
public sealed record TaskOutcome(Upid Upid, string ExitStatus, IReadOnlyList<string> Log)
{
    public bool Succeeded => IsSuccess(ExitStatus);

    public bool HasWarnings => ExitStatus.StartsWith("WARNINGS:", StringComparison.Ordinal);

    public static bool IsSuccess(string exitStatus) =>
        exitStatus == "OK" || exitStatus.StartsWith("WARNINGS:", StringComparison.Ordinal);
}
