using System.Text;

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
        if (Next(text, ref position) is not { } header)
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
        while (Next(text, ref position) is { } fields)
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

    /// <summary>The next RFC 4180 record ending in a newline (CRLF or LF), or null at the end or at a torn last record.</summary>
    private static List<string>? Next(string text, ref int position)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = position; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                position = i + 1;
                return fields;
            }
            else
            {
                field.Append(c);
            }
        }

        position = text.Length;
        return null;
    }
}
