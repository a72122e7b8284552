using System.Text.Json;

namespace SkillVL.Testbed.Status;

/// <summary>
/// A client's emulated link: the profile it was given, the taps, the emulator process and its last JSON line
/// (normally a <c>stats</c> line; counters are cumulative, aToB is the client's upload, bToA its download).
/// </summary>
public sealed record LinkStatus(
    string Rate,
    string Rtt,
    string Loss,
    string UnderlayTap,
    string ClientTap,
    ProcessStatus? Emulator,
    JsonElement? LastStats)
{
    /// <summary>The bridge port the client's traffic enters the underlay through (its counters are the client's traffic); <c>link down</c> disables it.</summary>
    public string BridgePort { get; init; } = UnderlayTap;

    /// <summary>Whether <c>link NAME down</c> cut the link (recorded).</summary>
    public bool Down { get; init; }

    /// <summary>The port's state as the kernel has it: forwarding, disabled…; null when the port is missing.</summary>
    public string? PortState { get; init; }

    /// <summary>The port is what the record says: forwarding when up, disabled when cut.</summary>
    public bool PortAsRecorded => PortState == (Down ? "disabled" : "forwarding");
}
