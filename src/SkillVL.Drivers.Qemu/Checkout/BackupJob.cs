namespace SkillVL.Drivers.Qemu.Checkout;

/// <summary>A backup job as <c>query-jobs</c> shows it.</summary>
/// <param name="Status">created, running, paused, ready, standby, waiting, pending, aborting, concluded, null.</param>
/// <param name="Done">Bytes copied (<c>current-progress</c>).</param>
/// <param name="Total">Bytes to copy (<c>total-progress</c>: the dirty clusters at the start).</param>
/// <param name="Error">Why it failed, once concluded with an error (a cancelled job reports "Operation canceled").</param>
public sealed record BackupJob(string Status, long Done, long Total, string? Error)
{
    /// <summary>Ended (successfully or not); its result can be read and it can be dismissed.</summary>
    public bool Ended => Status is "concluded" or "null";
}
