namespace SkillVL.Testbed.Linux;

/// <summary>A network interface of the root namespace as <c>ip -j link</c> shows it.</summary>
internal sealed record HostLink(string Name, string? Alias, string? Master, bool Up);
