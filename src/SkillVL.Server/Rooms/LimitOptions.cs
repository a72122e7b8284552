using System.ComponentModel.DataAnnotations;
using SkillVL.Core.Rooms;

namespace SkillVL.Server.Rooms;

/// <summary>
/// Section "SkillVL:Limits": how much one user and one room may ask for, whatever their quota (issue 11, finding 5).
/// Quotas bound CPUs, memory and disk; these bound what costs the platform without costing a quota — bridges
/// (networks), taps (NICs), rows and text. Every limit refuses with a 400 naming the field; admins are exempt from
/// <see cref="RoomsPerUser"/> only. Validated at start (each at least 1).
/// </summary>
public sealed class LimitOptions
{
    /// <summary>Rooms a non-admin user may own, course instances not counted (the course's quota governs them). Default 10.</summary>
    [Range(1, 10_000)]
    public int RoomsPerUser { get; set; } = 10;

    /// <summary>Machines in one room. Default 32.</summary>
    [Range(1, 10_000)]
    public int MachinesPerRoom { get; set; } = RoomLimits.Default.MaxMachines;

    /// <summary>Networks in one room; each is a bridge on every node one of its machines is on. Default 16.</summary>
    [Range(1, 10_000)]
    public int NetworksPerRoom { get; set; } = RoomLimits.Default.MaxNetworks;

    /// <summary>NICs of one machine; each is a tap on its node. Default 8.</summary>
    [Range(1, 64)]
    public int NicsPerMachine { get; set; } = RoomLimits.Default.MaxNicsPerMachine;

    /// <summary>Characters of a room's metadata.description. Default 4096.</summary>
    [Range(1, 1_000_000)]
    public int DescriptionLength { get; set; } = RoomLimits.Default.MaxDescriptionLength;

    /// <summary>Characters of other free text in a room document: template names, node label keys and values. Default 128.</summary>
    [Range(1, 100_000)]
    public int TextLength { get; set; } = RoomLimits.Default.MaxTextLength;

    /// <summary>Node labels one machine may ask for. Default 16.</summary>
    [Range(1, 1_000)]
    public int NodeLabelsPerMachine { get; set; } = RoomLimits.Default.MaxNodeLabels;

    /// <summary>
    /// Bytes of a room document (room apply, course publish); larger answers 413 before it is parsed. Default 128 KiB:
    /// a room at every other limit is under 20 KiB of YAML, so this leaves room for layout and comments.
    /// </summary>
    [Range(1024, 16 << 20)]
    public int DocumentBytes { get; set; } = 128 << 10;

    /// <summary>
    /// Client nodes (their own computers, issue 12) one user may have enrolled. A join token for one more answers 409
    /// naming the nodes to remove; checked again at enrolment. Admins' unowned client nodes do not count. Default 3.
    /// </summary>
    [Range(1, 1_000)]
    public int ClientNodesPerUser { get; set; } = 3;

    /// <summary>
    /// Unused, unexpired join tokens one non-admin user may hold at once (each is a credential waiting to be used; they
    /// expire after their lifetime, at most a week). A 409 past it. Admins are exempt (the testbed makes one per node).
    /// Default 5.
    /// </summary>
    [Range(1, 1_000)]
    public int JoinTokensPerUser { get; set; } = 5;

    /// <summary>Checks of one room; a run of them executes one command per check in the guests. Default 32.</summary>
    [Range(1, 1_000)]
    public int ChecksPerRoom { get; set; } = RoomLimits.Default.MaxChecks;

    /// <summary>Characters of a check's run line and of its expected output. Default 1024.</summary>
    [Range(1, 100_000)]
    public int CheckTextLength { get; set; } = RoomLimits.Default.MaxCheckTextLength;

    /// <summary>Snapshots of one machine (ADR 0051); each holds up to a copy of the disk and, with RAM, of the memory.
    /// Default 10.</summary>
    [Range(0, 100)]
    public int SnapshotsPerMachine { get; set; } = 10;

    /// <summary>The room limits as the validator takes them.</summary>
    public RoomLimits ToRoomLimits() =>
        new(MachinesPerRoom, NetworksPerRoom, NicsPerMachine, DescriptionLength, TextLength, NodeLabelsPerMachine, ChecksPerRoom, CheckTextLength);

    /// <summary>The first property out of its range, or null (nested options are not checked by data annotations).</summary>
    public string? Invalid()
    {
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true)
            ? null
            : string.Join(", ", results.SelectMany(r => r.MemberNames));
    }
}
