namespace SkillVL.Core.Rooms;

/// <summary>
/// The room.yaml v1 document (DESIGN.md §6), as authored. Property order here is the order written back
/// out, so the YAML a user applies comes back the same (layout included).
/// </summary>
public sealed record RoomDefinition
{
    public const string CurrentApiVersion = "skillvl.io/v1";
    public const string RoomKind = "Room";

    public string ApiVersion { get; init; } = CurrentApiVersion;

    public string Kind { get; init; } = RoomKind;

    public RoomMetadata Metadata { get; init; } = new();

    public IReadOnlyList<NetworkDefinition> Networks { get; init; } = [];

    public IReadOnlyList<MachineDefinition> Machines { get; init; } = [];

    /// <summary>
    /// Routers between the room's networks (ADR 0039); null or empty: every network is a flat, unrouted L2
    /// segment. Null rather than empty by default so a room without routers is written back without the key.
    /// </summary>
    public IReadOnlyList<RouterDefinition>? Routers { get; init; }

    /// <summary>
    /// Automatic checks of the exercise (issue 17, ADR 0042), run on demand ("Check my work"); null when the room has
    /// none, so a room without checks is written back without the key.
    /// </summary>
    public IReadOnlyList<CheckDefinition>? Checks { get; init; }

    /// <summary>How machines without a node are placed; null: the Server's policy.</summary>
    public RoomPlacement? Placement { get; init; }

    /// <summary>When the room's machines stop and the room is deleted (ADR 0058); null: it lives until deleted.</summary>
    public RoomLifetime? Lifetime { get; init; }
}
