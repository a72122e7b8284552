using System.Globalization;
using System.Text.Json;
using SkillVL.Testbed.State;

namespace SkillVL.Testbed.Status;

/// <summary>Prints a <see cref="TestbedStatus"/> as a table (people) or JSON (<c>-o json</c>, scripts).</summary>
internal static class StatusPrinter
{
    public static void Json(TextWriter output, TestbedStatus status) =>
        output.WriteLine(JsonSerializer.Serialize(status, TestbedJsonContext.Default.TestbedStatus));

    public static void Table(TextWriter output, TestbedStatus status)
    {
        output.WriteLine(Invariant(
            $"testbed {status.Prefix}: {status.Phase}{(status.Healthy ? "" : " (degraded)")}, underlay {status.Subnet}, bridge {status.Bridge.Name} {status.Bridge.Address} {(status.Bridge.Present ? status.Bridge.Up ? "up" : "down" : "MISSING")}"));
        output.WriteLine(Invariant($"state {status.StateFile}, created {status.CreatedAt:u}"));
        output.WriteLine();

        string[] header = ["NAME", "KIND", "NAMESPACE", "ADDRESS", "AGENT", "LINK", "EMULATOR", "NAT"];
        var rows = new List<string[]> { header };
        foreach (var node in status.Nodes)
        {
            rows.Add(
            [
                node.Name,
                node.Kind,
                node.Namespace + (node.NamespacePresent ? "" : " (MISSING)"),
                node.Address,
                Process(node.Agent),
                node.Link is { } link ? $"{link.Rate} rtt {link.Rtt} loss {link.Loss}{Cut(link)}" : "-",
                node.Link is { } l ? Process(l.Emulator) : "-",
                node.Nat is { } nat
                    ? $"via {nat.RouterNamespace}{(nat.RouterPresent ? "" : " (MISSING)")} outside {nat.OutsideAddress} inside {nat.InsideAddress}"
                    : "-",
            ]);
        }

        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        foreach (var node in status.Nodes.Where(n => n.Link?.LastStats is not null))
        {
            output.WriteLine();
            output.WriteLine($"{node.Name} link (skillvl-linkem, last line): {Summary(node.Link!.LastStats!.Value)}");
        }
    }

    /// <summary>", DOWN" for a cut link; the port's state when it is not what was recorded.</summary>
    private static string Cut(LinkStatus link) =>
        (link.Down ? ", DOWN" : "") + (link.PortAsRecorded ? "" : $" (port {link.BridgePort} {link.PortState ?? "MISSING"})");

    private static string Process(ProcessStatus? process) =>
        process is null ? "-" : Invariant($"{process.Pid} {(process.Alive ? "alive" : "DEAD")}");

    /// <summary><c>stats at 12:00:01: up 1234 frames 1.8 MB (lost 1, queue-dropped 0), down …</c></summary>
    private static string Summary(JsonElement line)
    {
        var name = line.TryGetProperty("event", out var e) ? e.GetString() : "?";
        var time = line.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) ? at.ToString("HH:mm:ss", CultureInfo.InvariantCulture) : "?";
        return $"{name} at {time}: up {Direction(line, "aToB")}; down {Direction(line, "bToA")}";
    }

    private static string Direction(JsonElement line, string direction)
    {
        if (!line.TryGetProperty(direction, out var d) || d.ValueKind != JsonValueKind.Object)
        {
            return "-";
        }

        long Counter(string name) => d.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;
        return Invariant(
            $"{Counter("framesPassed")} frames {Counter("bytesPassed") / 1e6:0.0} MB passed, dropped {Counter("framesDroppedByLoss")} by loss / {Counter("framesDroppedByQueue")} by queue");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
