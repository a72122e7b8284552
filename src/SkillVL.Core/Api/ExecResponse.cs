namespace SkillVL.Core.Api;

public sealed record ExecResponse(int ExitCode, string Stdout, string Stderr, bool OutputTruncated);
