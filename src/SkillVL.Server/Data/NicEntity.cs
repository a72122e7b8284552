namespace SkillVL.Server.Data;

public sealed class NicEntity
{
    public required string Id { get; set; }

    public required string MachineId { get; set; }

    public required string NetworkId { get; set; }

    /// <summary>Position in the machine's NIC list (guest order).</summary>
    public int Index { get; set; }

    public string? Ip { get; set; }

    public required string MacAddress { get; set; }
}
