using System.Text;

namespace SkillVL.Core.Text;

/// <summary>Comma-separated records as <c>skillvl experiment</c> writes results.csv (RFC 4180 quoting), read one at a
/// time, so a reader can tell a complete record from the torn last line of a run that was killed.</summary>
public static class CsvRecords
{
    /// <summary>The next RFC 4180 record from <paramref name="position"/> ending in a newline (CRLF or LF), or null at the
    /// end or at a torn last record (one without its newline); <paramref name="position"/> moves past it.</summary>
    public static List<string>? Next(string text, ref int position)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = position; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
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

        return null;
    }
}
