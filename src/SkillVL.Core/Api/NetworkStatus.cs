namespace SkillVL.Core.Api;

public sealed record NetworkStatus(string Id, string Name, string Cidr, int Mtu);
