namespace SkillVL.Core.Rooms;

/// <summary>The router's leg on one network.</summary>
public sealed record RouterInterfaceDefinition
{
    /// <summary>Name of a network of the same room.</summary>
    public string Network { get; init; } = "";

    /// <summary>The router's IPv4 address inside the network's CIDR, without prefix length; machines use it as gateway.</summary>
    public string Ip { get; init; } = "";
}
