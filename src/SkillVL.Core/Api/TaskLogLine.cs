namespace SkillVL.Core.Api;

public sealed record TaskLogLine(DateTimeOffset Timestamp, string Message);
