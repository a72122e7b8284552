namespace SkillVL.Server.Data;

public sealed class NetworkEntity
{
    public required string Id { get; set; }

    public required string RoomId { get; set; }

    public required string Name { get; set; }

    public required string Cidr { get; set; }

    public int Mtu { get; set; }

    /// <summary>VXLAN network identifier, unique across the platform, used when the network spans nodes.</summary>
    public int Vni { get; set; }
}
