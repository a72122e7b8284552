namespace SkillVL.Core.Api;

/// <summary>What a command run in the guest did.</summary>
/// <param name="OutputTruncated">Stdout or stderr was cut at 1 MiB.</param>
/// <param name="TimedOut">The command ran past its timeout and was killed in the guest (exit code 137).</param>
public sealed record ExecResponse(int ExitCode, string Stdout, string Stderr, bool OutputTruncated, bool TimedOut = false);
