namespace SkillVL.Core.Rooms;

public sealed record NicDefinition
{
    /// <summary>Name of a network of the same room.</summary>
    public string Network { get; init; } = "";

    /// <summary>IPv4 address inside the network's CIDR, without prefix length; none when absent.</summary>
    public string? Ip { get; init; }
}
