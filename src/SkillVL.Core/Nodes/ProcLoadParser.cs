using System.Globalization;

namespace SkillVL.Core.Nodes;

/// <summary>
/// Parses the /proc texts a node's load is read from (proc(5), Documentation/accounting/psi.rst). Pure: the agent
/// reads the files, this turns their text into numbers, so the parsing is tested on captured texts. Each method returns
/// null for a text it cannot read rather than throwing: one odd file must not stop a heartbeat.
/// </summary>
public static class ProcLoadParser
{
    /// <summary>The first ("cpu ") line of /proc/stat: user nice system idle iowait irq softirq steal [guest guest_nice].
    /// guest and guest_nice are already counted in user and nice, so they are left out of the total.</summary>
    public static ProcCpuTimes? ParseStat(string text)
    {
        var line = Lines(text).FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).ToList();
        if (fields.Count < 4)
        {
            return null;
        }

        ulong total = 0;
        var values = new ulong[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            if (!ulong.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }

            total += values[i];
        }

        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        return new ProcCpuTimes(total, idle);
    }

    /// <summary>/proc/loadavg: "0.50 0.40 0.30 2/345 6789" → the 1-minute average and the runnable count.</summary>
    public static (double LoadAverage1, int RunQueue)? ParseLoadAverage(string text)
    {
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4 || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load))
        {
            return null;
        }

        var slash = fields[3].IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && int.TryParse(fields[3].AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var running)
            ? (load, running)
            : null;
    }

    /// <summary>/proc/meminfo's MemAvailable and MemTotal, in bytes (the file says kB, meaning KiB); a missing line is null
    /// (MemAvailable exists since Linux 3.14).</summary>
    public static (long? AvailableBytes, long? TotalBytes) ParseMemInfo(string text)
    {
        long? available = null, total = null;
        foreach (var line in Lines(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon];
            if (key is not ("MemAvailable" or "MemTotal"))
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            var unit = value.EndsWith(" kB", StringComparison.Ordinal) ? 1024L : 1L;
            var number = unit == 1 ? value : value[..^3].Trim();
            if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                if (key == "MemAvailable")
                {
                    available = parsed * unit;
                }
                else
                {
                    total = parsed * unit;
                }
            }
        }

        return (available, total);
    }

    /// <summary>A /proc/pressure/* file's "some avg10=…" figure, percent; null when the line or field is missing.</summary>
    public static double? ParsePressureSomeAvg10(string text)
    {
        var line = Lines(text).FirstOrDefault(l => l.StartsWith("some ", StringComparison.Ordinal));
        var field = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(f => f.StartsWith("avg10=", StringComparison.Ordinal));
        return field is not null && double.TryParse(field.AsSpan(6), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : null;
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r'));
}
