using SkillVL.Core.Text;

namespace SkillVL.Server.Experiments;

/// <summary>
/// Counts a results.csv's runs, cells and successes for the experiments list (ADR 0029). It reads the columns by name
/// (cell_id, outcome) rather than through SkillVL.Experiments' own reader, so a run written by another version, with
/// more or fewer columns, still lists. Complete rows only, as the runner's reader keeps them: a record with the
/// header's number of fields that ends in a newline (a run killed mid-write leaves a torn last line).
/// </summary>
public static class ResultsTally
{
    /// <summary>(runs, cells, succeeded), or null when the text has no header naming cell_id.</summary>
    public static (int Runs, int Cells, int Succeeded)? Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        if (CsvRecords.Next(text, ref position) is not { } header)
        {
            return null;
        }

        var cell = header.IndexOf("cell_id");
        var outcome = header.IndexOf("outcome");
        if (cell < 0)
        {
            return null;
        }

        var (runs, succeeded) = (0, 0);
        var cells = new HashSet<string>(StringComparer.Ordinal);
        while (CsvRecords.Next(text, ref position) is { } fields)
        {
            if (fields.Count != header.Count)
            {
                continue;
            }

            runs++;
            cells.Add(fields[cell]);
            if (outcome >= 0 && fields[outcome] == "succeeded")
            {
                succeeded++;
            }
        }

        return (runs, cells.Count, succeeded);
    }
}
