using System.Globalization;
using System.Text.Json;

namespace SkillVL.Experiments;

/// <summary>
/// Every request the service workload's client made in one run, on the move's time axis (0: the move started,
/// <see cref="MoveEndSeconds"/>: the guest runs on the target), and what they add up to (<see cref="Latency"/>). Kept
/// beside results.csv as <c>service/RUN_ID.json</c>, so the report can draw the latency around the switch-over.
/// </summary>
public sealed record ServiceTrace(double MoveEndSeconds, IReadOnlyList<ServiceSample> Samples)
{
    public const string Directory = "service";

    /// <summary>
    /// Reads the client's log: a line per request, "SENT_US ANSWERED_US STATUS" on the peer's monotonic clock in
    /// microseconds, status 0 when answered. <paramref name="moveStartUs"/> and <paramref name="moveEndUs"/> are the
    /// move's start and end on that clock. Lines that are not three numbers (a torn last one) are skipped.
    /// </summary>
    public static ServiceTrace Parse(string clientLog, double moveStartUs, double moveEndUs)
    {
        ArgumentNullException.ThrowIfNull(clientLog);
        var samples = new List<ServiceSample>();
        foreach (var line in clientLog.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && Us(parts[0]) is { } sent && Us(parts[1]) is { } answered && answered >= sent
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                samples.Add(new ServiceSample((sent - moveStartUs) / 1e6, (answered - sent) / 1e3, status == 0));
            }
        }

        return new ServiceTrace((moveEndUs - moveStartUs) / 1e6, samples);
    }

    /// <summary>
    /// p50 and p99 (nearest rank) of the answered requests sent before, during and after the move, and the longest
    /// time between two successive answers. A request belongs to the phase in which it was sent.
    /// </summary>
    public ServiceLatency Latency()
    {
        var ok = Samples.Where(s => s.Ok).ToList();
        var before = ok.Where(s => s.StartSeconds < 0).Select(s => s.LatencyMs).ToList();
        var during = ok.Where(s => s.StartSeconds >= 0 && s.StartSeconds <= MoveEndSeconds).Select(s => s.LatencyMs).ToList();
        var after = ok.Where(s => s.StartSeconds > MoveEndSeconds).Select(s => s.LatencyMs).ToList();
        var ends = ok.Select(s => s.EndSeconds).Order().ToList();
        double? gap = ends.Count < 2 ? null : ends.Zip(ends.Skip(1), (a, b) => (b - a) * 1000).Max();
        return new ServiceLatency(
            RoundUs(Percentile(before, 0.5)), RoundUs(Percentile(before, 0.99)), RoundUs(Percentile(during, 0.5)), RoundUs(Percentile(during, 0.99)),
            RoundUs(Percentile(after, 0.5)), RoundUs(Percentile(after, 0.99)), RoundUs(gap), Samples.Count, Samples.Count(s => !s.Ok));
    }

    // The clock counts microseconds: rounding to them drops float noise, so a row read back from the CSV equals this.
    private static double? RoundUs(double? ms) => ms is { } v ? Math.Round(v, 3) : null;

    /// <summary>The nearest-rank percentile: the smallest value with at least <paramref name="p"/> of them at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static string PathOf(string directory, string runId) => Path.Combine(directory, Directory, runId + ".json");

    /// <summary>Writes the trace of <paramref name="runId"/> (flushed, before its row is appended: a row implies its trace).</summary>
    public void Write(string directory, string runId)
    {
        System.IO.Directory.CreateDirectory(Path.Combine(directory, Directory));
        using var stream = new FileStream(PathOf(directory, runId), FileMode.Create, FileAccess.Write);
        JsonSerializer.Serialize(stream, this, ReportWriter.Json);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The trace of <paramref name="runId"/>, or null when there is none (or it cannot be read).</summary>
    public static ServiceTrace? Read(string directory, string runId)
    {
        var path = PathOf(directory, runId);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<ServiceTrace>(File.ReadAllText(path), ReportWriter.Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static double? Us(string text) =>
        double.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
