namespace SkillVL.Core.Rooms;

/// <summary>
/// An automatic check of an exercise (issue 17, ADR 0042): either a shell line run in a machine through its guest agent
/// (<see cref="Run"/>, judged by <see cref="Expect"/>) or reachability from that machine (<see cref="Reaches"/>, a ping).
/// Exactly one of the two; <see cref="RoomValidator"/> says so when a document gives both or neither.
/// </summary>
public sealed record CheckDefinition
{
    /// <summary>Unique among the room's checks; what a student sees next to pass or fail.</summary>
    public string Name { get; init; } = "";

    /// <summary>The machine of the room the check runs in.</summary>
    public string Machine { get; init; } = "";

    /// <summary>A shell line, run as <c>/bin/sh -c RUN</c> in the guest; null: a reachability check.</summary>
    public string? Run { get; init; }

    /// <summary>What <see cref="Run"/> must give; null: exit status 0, any output.</summary>
    public CheckExpectation? Expect { get; init; }

    /// <summary>An IPv4 address, or a machine of the room (its static address), the machine must reach by ping.</summary>
    public string? Reaches { get; init; }
}
