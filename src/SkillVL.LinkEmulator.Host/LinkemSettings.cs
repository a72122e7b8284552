using SkillVL.LinkEmulator.Profiles;

namespace SkillVL.LinkEmulator.Host;

/// <summary>A validated command line: the two taps, one profile per direction, and how to run.</summary>
internal sealed record LinkemSettings(
    string TapA,
    string TapB,
    LinkProfile AToB,
    LinkProfile BToA,
    int Seed,
    bool SeedGiven,
    TimeSpan StatsInterval,
    int RealtimePriority);
