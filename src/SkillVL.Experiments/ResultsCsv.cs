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

    /// <summary>The header's columns: run, factors (<see cref="Factor.All"/>), measurements.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. Leading, .. Factor.All.Select(f => f.Name), .. Measured];

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
        var first = true;
        while (CsvRecords.Next(text, ref position) is { } fields)
        {
            if (first)
            {
                if (string.Join(",", fields) != Header)
                {
                    throw new InvalidDataException($"results.csv: the header is not {Header}");
                }

                first = false;
            }
            else if (fields.Count == Columns.Count && ToRow(fields) is { } row)
            {
                rows.Add(row);
            }

            completeLength = position;
        }

        return rows;
    }

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

        var measurement = new RunMeasurement(f[k], D(f[k + 1]), D(f[k + 2]), D(f[k + 3]), L(f[k + 4]), L(f[k + 5]), L(f[k + 6]), L(f[k + 7]),
            f[k + 9].Length == 0 ? null : f[k + 9]);
        return new ResultRow(f[0], f[1], repetition, f.Skip(n).Take(Factor.All.Count).ToList(), finished, measurement);
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static string N(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "";

    private static string N(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double? D(string text) => text.Length == 0 ? null : double.Parse(text, CultureInfo.InvariantCulture);

    private static long? L(string text) => text.Length == 0 ? null : long.Parse(text, CultureInfo.InvariantCulture);
}
