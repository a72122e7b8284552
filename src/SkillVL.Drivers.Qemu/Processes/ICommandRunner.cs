namespace SkillVL.Drivers.Qemu.Processes;

/// <summary>
/// Runs an external tool (qemu-img, ip, QEMU's launch) to completion. A seam so the argument lists of the
/// tools can be unit-tested with a hand-written fake.
/// </summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> (no shell) and waits at most
    /// <paramref name="timeout"/>. A non-zero exit code is returned, not thrown; a timeout or a missing
    /// binary throws <see cref="Core.Errors.DriverException"/>.
    /// </summary>
    Task<CommandResult> RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken);
}
