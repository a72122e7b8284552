namespace SkillVL.Testbed.Status;

/// <summary>The underlay bridge: name, its address with prefix length, and whether it exists (and is up).</summary>
public sealed record BridgeStatus(string Name, string Address, bool Present, bool Up);
