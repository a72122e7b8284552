using System.Text.Json;
using SkillVL.Cli.Http;
using Spectre.Console;

namespace SkillVL.Cli.Output;

/// <summary>Writes results to stdout in the chosen format.</summary>
internal sealed class Printer(CliContext context)
{
    /// <summary>Column gap for plain tables; three spaces, as kubectl uses, so columns stay apart when a cell is long.</summary>
    private const string PlainGap = "   ";

    public void Json(JsonElement element) =>
        context.Out.WriteLine(element.ValueKind == JsonValueKind.Undefined ? "null" : JsonSerializer.Serialize(element, ApiJson.Indented));

    public void Text(string text) => context.Out.Write(text);

    public void Line(string text) => context.Out.WriteLine(text);

    public void Table(TableView view)
    {
        if (context.IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in view.Headers)
            {
                table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
            }

            foreach (var row in view.Rows)
            {
                table.AddRow(row.Select(cell => new Text(cell)).ToArray());
            }

            context.Console.Write(table);
            return;
        }

        var widths = view.Headers.Select((header, i) => view.Rows.Select(r => r[i].Length).Append(header.Length).Max()).ToArray();
        WritePlainRow(view.Headers, widths);
        foreach (var row in view.Rows)
        {
            WritePlainRow(row, widths);
        }
    }

    /// <summary>Label/value lines for one object (task get, room get).</summary>
    public void Fields(params (string Label, string Value)[] fields)
    {
        var width = fields.Max(f => f.Label.Length);
        foreach (var (label, value) in fields)
        {
            context.Out.WriteLine($"{label.PadRight(width)}{PlainGap}{value}");
        }
    }

    private void WritePlainRow(IReadOnlyList<string> cells, int[] widths)
    {
        var padded = cells.Select((cell, i) => i == cells.Count - 1 ? cell : cell.PadRight(widths[i]));
        context.Out.WriteLine(string.Join(PlainGap, padded).TrimEnd());
    }
}
