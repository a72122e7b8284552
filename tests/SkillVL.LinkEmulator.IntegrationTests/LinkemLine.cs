using System.Text.Json;

namespace SkillVL.LinkEmulator.IntegrationTests;

/// <summary>One JSON line of skillvl-linkem and when the test received it.</summary>
internal sealed record LinkemLine(TimeSpan ReceivedAt, JsonElement Json)
{
    public string Event => Json.GetProperty("event").GetString()!;

    /// <summary>The emulator's own clock (seconds since it started), exact to the µs.</summary>
    public double ElapsedSeconds => Json.GetProperty("elapsedSeconds").GetDouble();

    public double CpuSeconds => Json.GetProperty("cpuSeconds").GetDouble();

    /// <summary>A counter of direction <paramref name="direction"/> (aToB or bToA), e.g. bytesPassed.</summary>
    public long Counter(string direction, string name) => Json.GetProperty(direction).GetProperty(name).GetInt64();

    public JsonElement Lateness(string direction) => Json.GetProperty(direction).GetProperty("lateness");
}
