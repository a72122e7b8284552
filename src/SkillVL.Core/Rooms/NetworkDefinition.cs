namespace SkillVL.Core.Rooms;

public sealed record NetworkDefinition
{
    public string Name { get; init; } = "";

    /// <summary>IPv4 CIDR, e.g. 10.0.1.0/24. The same in every instance of the room.</summary>
    public string Cidr { get; init; } = "";

    /// <summary>MTU; default 1450 (underlay 1500 minus the 50-byte VXLAN header).</summary>
    public int? Mtu { get; init; }

    public UiPosition? Ui { get; init; }
}
