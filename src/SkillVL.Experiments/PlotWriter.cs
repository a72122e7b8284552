using ScottPlot;

namespace SkillVL.Experiments;

/// <summary>
/// The report's plots, each as PNG (for reading) and SVG (for papers), drawn by ScottPlot 5 (ADR 0026): one point per
/// cell (the mean over its repetitions), one line per series. The first two plots are drawn even when the experiment did
/// not vary their x-factor (a single column of points); the comparisons added for issue 13 (time vs disk written, one
/// vs several VMs) are drawn only when the CSV has at least two levels of their factor, since a single column compares
/// nothing, and the report says why one is missing (<see cref="NotDrawn"/>).
/// </summary>
public static class PlotWriter
{
    public const string Directory = "plots";

    public const string WrittenName = "time-vs-written";
    public const string VmsName = "time-vs-vms";

    private const string WrittenTitle = "Total migration time vs disk written, per bandwidth";
    private const string VmsTitle = "Total migration time, one vs several VMs at once, per bandwidth";
    private const int Width = 800;
    private const int Height = 500;

    /// <summary>Writes every plot under <paramref name="outDirectory"/>/plots; their names without extension.</summary>
    public static IReadOnlyList<(string Name, string Title)> Write(string outDirectory, IReadOnlyList<CellSummary> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var dir = Path.Combine(outDirectory, Directory);
        System.IO.Directory.CreateDirectory(dir);
        var written = new List<(string, string)>();

        Draw(dir, "time-vs-ram", "Total migration time vs RAM, per bandwidth", "RAM (MiB)", "total time (s)", cells,
            c => c.Cell.RamBytes / 1048576.0, c => c.Total?.Mean,
            c => $"{c.Cell.Level(Factor.Bandwidth)} {c.Cell.Method}");
        written.Add(("time-vs-ram", "Total migration time vs RAM, per bandwidth"));

        Draw(dir, "downtime-vs-dirty", "Downtime (QEMU) vs dirty rate, per method", "dirty rate (MiB/s)", "downtime (ms)", cells,
            c => c.Cell.DirtyRate.BytesPerSecond / 1048576.0, c => c.DowntimeQemu?.Mean,
            c => $"{c.Cell.Method} {c.Cell.Level(Factor.Bandwidth)}");
        written.Add(("downtime-vs-dirty", "Downtime (QEMU) vs dirty rate, per method"));

        if (Levels(cells, Factor.Written) >= 2)
        {
            Draw(dir, WrittenName, WrittenTitle, "disk written (MiB)", "total time (s)", cells,
                c => c.Cell.WrittenBytes / 1048576.0, c => c.Total?.Mean,
                c => $"{c.Cell.Level(Factor.Bandwidth)} {c.Cell.Method}");
            written.Add((WrittenName, WrittenTitle));
        }
        else
        {
            RemoveStale(dir, WrittenName);
        }

        if (Levels(cells, Factor.Vms) >= 2)
        {
            Draw(dir, VmsName, VmsTitle, "VMs migrating at once", "total time (s)", cells,
                c => c.Cell.Vms, c => c.Total?.Mean,
                c => $"{c.Cell.Level(Factor.Bandwidth)} {c.Cell.Method}");
            written.Add((VmsName, VmsTitle));
        }
        else
        {
            RemoveStale(dir, VmsName);
        }

        return written;
    }

    /// <summary>The plots <see cref="Write"/> leaves out for <paramref name="cells"/>, with why.</summary>
    public static IReadOnlyList<(string Title, string Reason)> NotDrawn(IReadOnlyList<CellSummary> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return new[] { (Factor.Written, WrittenTitle), (Factor.Vms, VmsTitle) }
            .Where(p => Levels(cells, p.Item1) < 2)
            .Select(p => (p.Item2, $"the experiment has {(cells.Count == 0 ? "no level" : "one level")} of `{p.Item1}`"
                + (cells.Count == 0 ? "" : $" ({cells[0].Cell.Level(p.Item1)})") + ", so there is nothing to compare"))
            .ToList();
    }

    // A report rebuilt after rows were deleted from the CSV must not leave an earlier run's plot beside its "not drawn".
    private static void RemoveStale(string dir, string name)
    {
        File.Delete(Path.Combine(dir, name + ".png"));
        File.Delete(Path.Combine(dir, name + ".svg"));
    }

    // Levels by value, not by spelling: 1Gi and 1024Mi are one level.
    private static int Levels(IReadOnlyList<CellSummary> cells, string factor) =>
        cells.Select(c => factor == Factor.Vms ? c.Cell.Vms : c.Cell.WrittenBytes).Distinct().Count();

    private static void Draw(string dir, string name, string title, string xLabel, string yLabel, IReadOnlyList<CellSummary> cells,
        Func<CellSummary, double> x, Func<CellSummary, double?> y, Func<CellSummary, string> series)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        foreach (var group in cells.Where(c => y(c) is not null).GroupBy(series).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Cells that differ only in factors not on this plot share an x: their mean.
            var points = group.GroupBy(x).OrderBy(p => p.Key).Select(p => (X: p.Key, Y: p.Average(c => y(c)!.Value))).ToArray();
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            scatter.LegendText = group.Key;
            scatter.MarkerSize = 8;
        }

        plot.ShowLegend();
        plot.SavePng(Path.Combine(dir, name + ".png"), Width, Height);
        File.WriteAllText(Path.Combine(dir, name + ".svg"), plot.GetSvgXml(Width, Height));
    }
}
