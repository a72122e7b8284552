using System.Diagnostics;
using System.Text.Json;
using SkillVL.LinkEmulator.Linux;
using SkillVL.LinkEmulator.Profiles;
using SkillVL.LinkEmulator.Relay;

namespace SkillVL.LinkEmulator.Host;

/// <summary>
/// Writes the emulator's JSON lines (one object per line) to stdout: <c>started</c> once, <c>stats</c> every
/// interval, <c>stopped</c> at the end. Counters are cumulative since start, so a reader computes a rate
/// from two lines as Δbytes × 8 / ΔelapsedSeconds; <c>bytes*</c> count Ethernet frame bytes (header + IP packet).
/// </summary>
internal sealed class StatsWriter
{
    private readonly Stream _output;
    private readonly Stopwatch _clock;

    public StatsWriter(Stream output, Stopwatch clock)
    {
        _output = output;
        _clock = clock;
    }

    public void Started(LinkemSettings settings, TapDevice tapA, TapDevice tapB, LinkRelay relay) =>
        Line("started", writer =>
        {
            writer.WriteNumber("pid", Environment.ProcessId);
            writer.WriteNumber("seed", settings.Seed);
            Tap(writer, "tapA", tapA);
            Tap(writer, "tapB", tapB);
            Profile(writer, "aToB", settings.AToB);
            Profile(writer, "bToA", settings.BToA);
            writer.WriteStartArray("scheduling");
            foreach (var scheduling in relay.Scheduling)
            {
                writer.WriteStringValue(scheduling);
            }

            writer.WriteEndArray();
        });

    public void Stats(LinkRelay relay) => Line("stats", writer => Directions(writer, relay));

    public void Stopped(LinkRelay relay, string reason) =>
        Line("stopped", writer =>
        {
            writer.WriteString("reason", reason);
            Directions(writer, relay);
        });

    private static void Tap(Utf8JsonWriter writer, string name, TapDevice tap)
    {
        writer.WriteStartObject(name);
        writer.WriteString("name", tap.Name);
        writer.WriteBoolean("created", tap.Created);
        writer.WriteEndObject();
    }

    private static void Profile(Utf8JsonWriter writer, string name, LinkProfile profile)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("rateBitsPerSecond", profile.RateBitsPerSecond);
        writer.WriteNumber("oneWayDelayMs", profile.OneWayDelay.TotalMilliseconds);
        writer.WriteNumber("jitterMs", profile.Jitter.TotalMilliseconds);
        writer.WriteNumber("lossFraction", profile.LossFraction);
        writer.WriteNumber("queueLimitBytes", profile.EffectiveQueueLimitBytes);
        writer.WriteNumber("burstBytes", profile.EffectiveBurstBytes);
        writer.WriteEndObject();
    }

    private static void Directions(Utf8JsonWriter writer, LinkRelay relay)
    {
        using (var process = Process.GetCurrentProcess())
        {
            writer.WriteNumber("cpuSeconds", Math.Round(process.TotalProcessorTime.TotalSeconds, 3));
        }

        // A collection pauses the relay threads; with pooled buffers there should be a handful, all at start-up.
        writer.WriteNumber("gcCollections", GC.CollectionCount(0));
        Direction(writer, "aToB", relay.AToB.Snapshot());
        Direction(writer, "bToA", relay.BToA.Snapshot());
    }

    private static void Direction(Utf8JsonWriter writer, string name, DirectionStats stats)
    {
        writer.WriteStartObject(name);
        writer.WriteString("from", stats.From);
        writer.WriteString("to", stats.To);
        writer.WriteNumber("framesIn", stats.Offered.FramesOffered);
        writer.WriteNumber("bytesIn", stats.Offered.BytesOffered);
        writer.WriteNumber("framesPassed", stats.FramesDelivered);
        writer.WriteNumber("bytesPassed", stats.BytesDelivered);
        writer.WriteNumber("framesDroppedByLoss", stats.Offered.FramesDroppedByLoss);
        writer.WriteNumber("bytesDroppedByLoss", stats.Offered.BytesDroppedByLoss);
        writer.WriteNumber("framesDroppedByQueue", stats.Offered.FramesDroppedByQueue);
        writer.WriteNumber("bytesDroppedByQueue", stats.Offered.BytesDroppedByQueue);
        writer.WriteNumber("framesDroppedBySink", stats.FramesDroppedBySink);
        writer.WriteNumber("queuedBytes", stats.QueuedBytes);
        writer.WriteNumber("framesInFlight", stats.FramesInFlight);
        writer.WriteNumber("buffersAllocated", stats.BuffersAllocated);
        writer.WriteStartObject("lateness");
        writer.WriteNumber("frames", stats.Lateness.Frames);
        writer.WriteNumber("meanUs", Math.Round(stats.Lateness.MeanMicroseconds, 1));
        writer.WriteNumber("p99UsAtMost", stats.Lateness.P99UpperBoundMicroseconds);
        writer.WriteNumber("maxUs", stats.Lateness.MaxMicroseconds);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private void Line(string name, Action<Utf8JsonWriter> body)
    {
        using (var writer = new Utf8JsonWriter(_output))
        {
            writer.WriteStartObject();
            writer.WriteString("event", name);
            writer.WriteString("time", DateTimeOffset.UtcNow);
            writer.WriteNumber("elapsedSeconds", Math.Round(_clock.Elapsed.TotalSeconds, 6));
            body(writer);
            writer.WriteEndObject();
        }

        _output.WriteByte((byte)'\n');
        _output.Flush();
    }
}
