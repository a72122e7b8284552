using ScottPlot;

namespace SkillVL.Experiments;

/// <summary>
/// The service's request latency over time around the switch-over, for one representative run: the first (by run id)
/// succeeded run with a kept trace (<see cref="ServiceTrace"/>). Answered requests and failed ones (timed out or refused)
/// are two series; vertical lines mark the move's start and the guest running on the target.
/// </summary>
public static class ServicePlot
{
    public const string Name = "service-latency";

    public const string VxlanName = "service-vs-vxlan";

    private const string VxlanTitle = "Service latency after the move and longest gap, client over VXLAN (on) or on the same node (off)";

    private const int Width = 800;
    private const int Height = 500;

    /// <summary>
    /// VXLAN on vs off: per level (x), the mean over the service cells' succeeded runs of p50 and p99 after the move and of
    /// the longest gap (ms), one series per measure and bandwidth. Drawn only when the service cells have both levels.
    /// </summary>
    public static (string Name, string Title)? WriteVxlan(string outDirectory, IReadOnlyList<CellSummary> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var dir = Path.Combine(outDirectory, PlotWriter.Directory);
        var service = cells.Where(c => c.Cell.HasService && c.Succeeded.Any(m => m.Service is not null)).ToList();
        if (service.Select(c => c.Cell.ClientOverVxlan).Distinct().Count() < 2)
        {
            File.Delete(Path.Combine(dir, VxlanName + ".png"));
            File.Delete(Path.Combine(dir, VxlanName + ".svg"));
            return null;
        }

        var plot = new Plot();
        plot.Title(VxlanTitle);
        plot.YLabel("ms");
        var measures = new (string Label, Func<ServiceLatency, double?> Value)[]
        {
            ("p50 after", l => l.P50AfterMs), ("p99 after", l => l.P99AfterMs), ("longest gap", l => l.LongestGapMs),
        };
        foreach (var (label, value) in measures)
        {
            foreach (var group in service.GroupBy(c => c.Cell.Level(Factor.Bandwidth)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var points = new[] { true, false }
                    .Select((on, x) => (X: (double)x, Values: group.Where(c => c.Cell.ClientOverVxlan == on)
                        .SelectMany(c => c.Succeeded.Select(m => m.Service).OfType<ServiceLatency>()).Select(value).OfType<double>().ToList()))
                    .Where(p => p.Values.Count > 0).ToArray();
                var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Values.Average()).ToArray());
                scatter.LegendText = $"{label} {group.Key}";
                scatter.MarkerSize = 8;
            }
        }

        plot.Axes.Bottom.SetTicks([0, 1], ["vxlan on", "vxlan off"]);
        plot.ShowLegend();
        System.IO.Directory.CreateDirectory(dir);
        plot.SavePng(Path.Combine(dir, VxlanName + ".png"), Width, Height);
        File.WriteAllText(Path.Combine(dir, VxlanName + ".svg"), plot.GetSvgXml(Width, Height));
        return (VxlanName, VxlanTitle);
    }

    /// <summary>Draws the plot into <paramref name="outDirectory"/>/plots; its name and title, or null (and no stale file)
    /// when no run has a trace.</summary>
    public static (string Name, string Title)? Write(string outDirectory, IReadOnlyList<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dir = Path.Combine(outDirectory, PlotWriter.Directory);
        var chosen = rows.Where(r => r.Measurement.Outcome == RunMeasurement.Succeeded && r.Measurement.Service is not null)
            .OrderBy(r => r.RunId, StringComparer.Ordinal)
            .Select(r => (Row: r, Trace: ServiceTrace.Read(outDirectory, r.RunId)))
            .FirstOrDefault(r => r.Trace is { Samples.Count: > 0 });
        if (chosen.Trace is not { } trace)
        {
            File.Delete(Path.Combine(dir, Name + ".png"));
            File.Delete(Path.Combine(dir, Name + ".svg"));
            return null;
        }

        var title = $"Service latency around the switch-over (run {chosen.Row.RunId})";
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("time from the move's start (s)");
        plot.YLabel("request latency (ms)");
        foreach (var (ok, label) in new[] { (true, "answered"), (false, "failed or timed out") })
        {
            var samples = trace.Samples.Where(s => s.Ok == ok).ToList();
            if (samples.Count > 0)
            {
                var scatter = plot.Add.ScatterPoints(samples.Select(s => s.StartSeconds).ToArray(), samples.Select(s => s.LatencyMs).ToArray());
                scatter.LegendText = label;
                scatter.MarkerSize = 5;
            }
        }

        plot.Add.VerticalLine(0).LegendText = "move starts";
        plot.Add.VerticalLine(trace.MoveEndSeconds).LegendText = "guest runs on the target";
        plot.ShowLegend();
        System.IO.Directory.CreateDirectory(dir);
        plot.SavePng(Path.Combine(dir, Name + ".png"), Width, Height);
        File.WriteAllText(Path.Combine(dir, Name + ".svg"), plot.GetSvgXml(Width, Height));
        return (Name, title);
    }
}
