using System.Text;
using System.Text.Json;

namespace SkillVL.Testbed.Links;

/// <summary>
/// Reads skillvl-linkem's log: its JSON lines (<c>started</c>, <c>stats</c>, <c>stopped</c>; ADR 0005) mixed with
/// any message it printed on stderr (those start with <c>skillvl-linkem: </c> and are skipped here).
/// </summary>
internal static class LinkemLog
{
    /// <summary>How much of the end of the log is read for the last line: a stats line is about 1.3 KB.</summary>
    private const int TailBytes = 16 * 1024;

    /// <summary>The last JSON line of the log, or null when there is none yet.</summary>
    public static JsonElement? LastEvent(string log) => Events(log, TailBytes).LastOrDefault() is { ValueKind: JsonValueKind.Object } last ? last : null;

    /// <summary>Whether the emulator with <paramref name="pid"/> printed its <c>started</c> line (taps open, relay running).</summary>
    public static bool HasStarted(string log, int pid) =>
        Events(log, TailBytes).Any(e =>
            e.TryGetProperty("event", out var name) && name.GetString() == "started"
            && e.TryGetProperty("pid", out var p) && p.TryGetInt32(out var value) && value == pid);

    private static List<JsonElement> Events(string log, int tailBytes)
    {
        string text;
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var start = Math.Max(0, stream.Length - tailBytes);
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            text = reader.ReadToEnd();
            if (start > 0)
            {
                // The first line is cut off.
                var newline = text.IndexOf('\n', StringComparison.Ordinal);
                text = newline < 0 ? "" : text[(newline + 1)..];
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        var events = new List<JsonElement>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("event", out _))
                {
                    events.Add(document.RootElement.Clone());
                }
            }
            catch (JsonException)
            {
                // A line still being written.
            }
        }

        return events;
    }
}
