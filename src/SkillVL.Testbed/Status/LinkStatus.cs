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
    JsonElement? LastStats);
