namespace SkillVL.Core.Compute;

/// <summary>Result of a command run in the guest through its agent.</summary>
public sealed record GuestExecResult(int ExitCode, string Stdout, string Stderr, bool OutputTruncated);
