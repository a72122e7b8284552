namespace SkillVL.Core.Api;

public sealed record NicStatus(string Network, string? Ip, string MacAddress);
