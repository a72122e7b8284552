using SkillVL.LinkEmulator.Profiles;

namespace SkillVL.Testbed.Planning;

/// <summary>
/// The profile of every client link, as given (<see cref="Rate"/>, <see cref="Rtt"/>, <see cref="Loss"/> are passed
/// to skillvl-linkem verbatim) and as parsed (<see cref="Profile"/>, one direction: half the RTT).
/// </summary>
public sealed record LinkPlan(string Rate, string Rtt, string Loss, LinkProfile Profile)
{
    /// <summary>How often the emulator prints a stats line (its log; <c>status</c> shows the last one). 5 s: ~0.4 MB of log per hour.</summary>
    public static readonly TimeSpan StatsInterval = TimeSpan.FromSeconds(5);

    /// <summary>e.g. <c>50mbit rtt 40ms loss 0.1%</c>.</summary>
    public override string ToString() => $"{Rate} rtt {Rtt} loss {Loss}";
}
