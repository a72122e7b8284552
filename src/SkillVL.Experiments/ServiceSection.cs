using System.Globalization;
using System.Text;

namespace SkillVL.Experiments;

/// <summary>
/// The report's table for the service workload: per cell with <c>workload: service</c>, the client's request latency
/// before, during and after the move and the longest time without an answer, as means over the succeeded repetitions
/// ± the 95 % CI's half width. Empty when no cell ran the service.
/// </summary>
public static class ServiceSection
{
    public static string Build(IReadOnlyList<CellSummary> cells, IReadOnlyList<(string Name, int Index)> varied)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(varied);
        var service = cells.Where(c => c.Succeeded.Any(m => m.Service is not null)).ToList();
        if (service.Count == 0)
        {
            return "";
        }

        var s = new StringBuilder();
        s.AppendLine("## Service during the move").AppendLine();
        s.AppendLine("`workload: service`: busybox httpd in vm1, and on a peer VM of the room (which stays on the source node) a client "
            + "sending one HTTP GET at a time, about ten a second, timing each on the peer's clock. A request belongs to the phase "
            + "it was sent in: before the move, during it (from its start to the guest running on the target), after it. "
            + "Percentiles are nearest-rank over the answered requests of a run; the gap is the longest time between two "
            + "successive answers. With about ten requests a second a phase holds tens of them, so its p99 is close to its "
            + "slowest request. Means over the succeeded runs ± the 95 % CI's half width.").AppendLine();
        s.Append("| cell |");
        foreach (var (name, _) in varied)
        {
            s.Append(CultureInfo.InvariantCulture, $" {name} |");
        }

        s.AppendLine(" runs | p50 before ms | p99 before ms | p50 during ms | p99 during ms | p50 after ms | p99 after ms | longest gap ms | requests | errors |");
        s.Append("|---|").Append(string.Concat(varied.Select(_ => "---|"))).AppendLine("---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var cell in service)
        {
            var runs = cell.Succeeded.Select(m => m.Service).OfType<ServiceLatency>().ToList();
            s.Append(CultureInfo.InvariantCulture, $"| {cell.Cell.Id} |");
            foreach (var (_, i) in varied)
            {
                s.Append(CultureInfo.InvariantCulture, $" {cell.Cell.Levels[i]} |");
            }

            s.AppendLine(CultureInfo.InvariantCulture,
                $" {runs.Count} | {Ci(runs, l => l.P50BeforeMs)} | {Ci(runs, l => l.P99BeforeMs)} | {Ci(runs, l => l.P50DuringMs)} | {Ci(runs, l => l.P99DuringMs)} | {Ci(runs, l => l.P50AfterMs)} | {Ci(runs, l => l.P99AfterMs)} | {Ci(runs, l => l.LongestGapMs)} | {Ci(runs, l => l.Requests)} | {Ci(runs, l => l.Errors)} |");
        }

        return s.ToString();
    }

    private static string Ci(IReadOnlyList<ServiceLatency> runs, Func<ServiceLatency, double?> value)
    {
        var values = runs.Select(value).OfType<double>().ToList();
        if (values.Count == 0)
        {
            return "—";
        }

        var (mean, half) = Statistics.MeanCi95(values);
        return half is { } h
            ? string.Create(CultureInfo.InvariantCulture, $"{mean:0} ± {h:0}")
            : mean.ToString("0", CultureInfo.InvariantCulture);
    }
}
