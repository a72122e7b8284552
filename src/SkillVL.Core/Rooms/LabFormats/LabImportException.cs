namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>The source file cannot become a room: what is wrong, and where (a path in the file and its line).</summary>
public sealed class LabImportException(string path, int line, string message)
    : Exception($"{(path.Length == 0 ? "the file" : path)} (line {line}): {message}")
{
    public string Path { get; } = path;

    public int Line { get; } = line;

    public string Problem { get; } = message;
}
