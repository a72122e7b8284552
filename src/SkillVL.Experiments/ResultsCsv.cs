using System.Globalization;
using System.Text;
using SkillVL.Core.Text;

namespace SkillVL.Experiments;

/// <summary>
/// results.csv: one row per finished run, every factor and every measurement (RFC 4180 quoting). A row is written
/// only once its run has finished, whole, and flushed to disk, so a crash leaves at most a torn last line. Reading
/// keeps only complete rows (a line with the header's number of fields, ended by a newline); <see cref="OpenForResume"/>
/// cuts a torn tail off before appending, so a half-finished run is never counted and runs again.
/// </summary>
public static class ResultsCsv
{
    public const string FileName = "results.csv";

    private static readonly string[] Leading = ["run_id", "cell_id", "repetition", "finished_utc"];

    private static readonly string[] Measured =
    [
        "outcome", "total_s", "downtime_qemu_ms", "downtime_probe_ms", "link_bytes", "ram_bytes", "disk_bytes", "template_bytes",
        "throughput_mbit", "error",
    ];

    /// <summary>The service workload's columns (<see cref="ServiceLatency"/>), empty for other workloads.</summary>
    private static readonly string[] ServiceColumns =
    [
        "service_p50_before_ms", "service_p99_before_ms", "service_p50_during_ms", "service_p99_during_ms", "service_p50_after_ms",
        "service_p99_after_ms", "service_gap_ms", "service_requests", "service_errors",
    ];

    /// <summary>The link the migration was planned with (<see cref="MeasuredLink"/>), empty when not reported.</summary>
    private static readonly string[] LinkColumns = ["link_mbit", "link_rtt_ms", "link_source"];

    /// <summary>The header's columns: run, factors (<see cref="Factor.All"/>), measurements.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. Leading, .. Factor.All.Select(f => f.Name), .. Measured, .. ServiceColumns, .. LinkColumns];

    /// <summary>Columns an earlier version's results.csv lacks: read as the factor's default or empty, so its runs still
    /// read, report and resume (the cell ids hold, <see cref="Factor.Added"/>).</summary>
    private static readonly HashSet<string> Later = [.. Factor.All.Where(f => f.Added).Select(f => f.Name), .. ServiceColumns, .. LinkColumns];

    public static string Header => string.Join(",", Columns);

    /// <summary>The complete rows of <paramref name="path"/> (none when it does not exist).</summary>
    /// <exception cref="InvalidDataException">The header is not this version's.</exception>
    public static IReadOnlyList<ResultRow> Read(string path) => File.Exists(path) ? Parse(File.ReadAllText(path), out _) : [];

    /// <summary>Parses the CSV's text; <paramref name="completeLength"/> is the length of its complete lines.</summary>
    public static IReadOnlyList<ResultRow> Parse(string text, out int completeLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<ResultRow>();
        completeLength = 0;
        var position = 0;
        int[]? map = null;
        var width = 0;
        while (CsvRecords.Next(text, ref position) is { } fields)
        {
            if (map is null)
            {
                map = Map(fields) ?? throw new InvalidDataException($"results.csv: the header is not {Header}");
                width = fields.Count;
            }
            else if (fields.Count == width && ToRow(Columns.Select((c, i) => map[i] >= 0 ? fields[map[i]] : Missing(c)).ToList()) is { } row)
            {
                rows.Add(row);
            }

            completeLength = position;
        }

        return rows;
    }

    /// <summary>Where each of <see cref="Columns"/> is in <paramref name="header"/> (-1: a <see cref="Later"/> column this
    /// file predates); null when the header is not this version's or an earlier one's.</summary>
    private static int[]? Map(List<string> header)
    {
        var map = Columns.Select(c => header.IndexOf(c)).ToArray();
        var known = Columns.Where((c, i) => map[i] >= 0).ToList();
        return known.SequenceEqual(header) && Columns.Where((c, i) => map[i] < 0).All(Later.Contains) ? map : null;
    }

    private static string Missing(string column) => Factor.IndexOf(column) is >= 0 and var i ? Factor.All[i].Default : "";

    /// <summary>Creates results.csv with its header, or for <c>--resume</c> opens it after cutting off a torn last line.</summary>
    /// <returns>The rows already there (for resume).</returns>
    public static IReadOnlyList<ResultRow> OpenForResume(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            File.WriteAllText(path, Header + "\n");
            return [];
        }

        var text = File.ReadAllText(path);
        var rows = Parse(text, out var complete);
        if (!text.StartsWith(Header + "\n", StringComparison.Ordinal) && !text.StartsWith(Header + "\r\n", StringComparison.Ordinal))
        {
            // An earlier version's file: rewrite it in this version's columns (new factors at their defaults), replacing it
            // in one rename, so the rows appended next line up with the header.
            var upgraded = path + ".upgrade";
            File.WriteAllText(upgraded, Header + "\n" + string.Concat(rows.Select(r => Format(r) + "\n")));
            File.Move(upgraded, path, overwrite: true);
            return rows;
        }

        var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(0, complete));
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        if (stream.Length != bytes)
        {
            stream.SetLength(bytes);
        }

        return rows;
    }

    /// <summary>Appends one finished run and flushes it to the disk before returning.</summary>
    public static void Append(string path, ResultRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var line = Format(row) + "\n";
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    public static string Format(ResultRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var m = row.Measurement;
        string[] fields =
        [
            row.RunId, row.CellId, N(row.Repetition), row.FinishedUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            .. row.Levels,
            m.Outcome, N(m.TotalSeconds), N(m.DowntimeQemuMs), N(m.DowntimeProbeMs), N(m.LinkBytes), N(m.RamBytes), N(m.DiskBytes),
            N(m.TemplateBytes), N(m.ThroughputMbit), m.Error ?? "",
            .. Service(m.Service),
            N(m.Link?.Mbit), N(m.Link?.RttMs), m.Link?.Source ?? "",
        ];
        return string.Join(",", fields.Select(Quote));
    }

    private static ResultRow? ToRow(List<string> f)
    {
        var n = Leading.Length;
        var k = n + Factor.All.Count;
        if (!int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var repetition)
            || !DateTimeOffset.TryParse(f[3], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var finished)
            || !Enumerable.Range(k + 1, 8).All(i => f[i].Length == 0 || double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        var s = k + Measured.Length;
        if (!Enumerable.Range(s, ServiceColumns.Length).All(i => f[i].Length == 0 || double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        var l = s + ServiceColumns.Length;
        if (!Enumerable.Range(l, 2).All(i => f[i].Length == 0 || double.TryParse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        var measurement = new RunMeasurement(f[k], D(f[k + 1]), D(f[k + 2]), D(f[k + 3]), L(f[k + 4]), L(f[k + 5]), L(f[k + 6]), L(f[k + 7]),
            f[k + 9].Length == 0 ? null : f[k + 9])
        {
            // The counts are written for every service run, so an empty one means the run had no service.
            Service = f[s + 7].Length == 0 ? null
                : new ServiceLatency(D(f[s]), D(f[s + 1]), D(f[s + 2]), D(f[s + 3]), D(f[s + 4]), D(f[s + 5]), D(f[s + 6]), L(f[s + 7]) ?? 0, L(f[s + 8]) ?? 0),
            Link = f[l + 2].Length == 0 ? null : new MeasuredLink(D(f[l]) ?? 0, D(f[l + 1]) ?? 0, f[l + 2]),
        };
        return new ResultRow(f[0], f[1], repetition, f.Skip(n).Take(Factor.All.Count).ToList(), finished, measurement);
    }

    private static string[] Service(ServiceLatency? l) => l is null
        ? [.. ServiceColumns.Select(_ => "")]
        : [N(l.P50BeforeMs), N(l.P99BeforeMs), N(l.P50DuringMs), N(l.P99DuringMs), N(l.P50AfterMs), N(l.P99AfterMs), N(l.LongestGapMs), N(l.Requests), N(l.Errors)];

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string N(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";

    private static string N(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double? D(string text) => text.Length == 0 ? null : double.Parse(text, CultureInfo.InvariantCulture);

    private static long? L(string text) => text.Length == 0 ? null : long.Parse(text, CultureInfo.InvariantCulture);
}
