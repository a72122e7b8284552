namespace SkillVL.Core.Rooms.LabFormats;

/// <summary>
/// One element of the source file that the room does not carry, or carries differently: where it is in the file (a path
/// like <c>topology.nodes.r1.startup-config</c> and its line) and what became of it. An import never drops anything
/// without one of these.
/// </summary>
public sealed record ImportNote(string Path, int Line, string Message)
{
    public override string ToString() => $"{Path} (line {Line}): {Message}";
}
