namespace SkillVL.Core.Compute;

/// <summary>Result of a command run in the guest through its agent.</summary>
/// <param name="OutputTruncated">A stream was cut (the driver keeps at most 1 MiB of each).</param>
/// <param name="TimedOut">The command ran past its timeout and was killed in the guest (exit code 137).</param>
public sealed record GuestExecResult(int ExitCode, string Stdout, string Stderr, bool OutputTruncated, bool TimedOut = false);
