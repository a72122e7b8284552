namespace SkillVL.Cli.Output;

internal enum OutputFormat
{
    /// <summary>For people: a table (Spectre on a terminal, aligned plain text when piped).</summary>
    Table,

    /// <summary>The server's JSON, indented, and nothing else on stdout.</summary>
    Json,

    /// <summary>For <c>room get</c>: the room's definition as room.yaml, ready for <c>room apply -f</c>.</summary>
    Yaml,
}
