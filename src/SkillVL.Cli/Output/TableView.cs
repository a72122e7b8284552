namespace SkillVL.Cli.Output;

/// <summary>Rows to show as a table; how (Spectre or plain text) is the <see cref="Printer"/>'s business.</summary>
internal sealed class TableView(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public IReadOnlyList<string> Headers { get; } = headers;

    public IReadOnlyList<string[]> Rows => rows;

    public TableView Add(params string[] cells)
    {
        if (cells.Length != Headers.Count)
        {
            throw new ArgumentException($"a row has {cells.Length} cells for {Headers.Count} columns", nameof(cells));
        }

        rows.Add(cells);
        return this;
    }
}
