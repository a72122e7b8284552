using ScottPlot;

namespace SkillVL.Experiments;

/// <summary>
/// The report's plots, each as PNG (for reading) and SVG (for papers), drawn by ScottPlot 5 (ADR 0026): one point per
/// cell (the mean over its repetitions), one line per series. A plot whose x-factor the experiment did not vary is
/// still drawn (a single column of points), so the report's links never dangle.
/// </summary>
public static class PlotWriter
{
    public const string Directory = "plots";

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
        return written;
    }

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
