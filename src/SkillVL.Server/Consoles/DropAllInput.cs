namespace SkillVL.Server.Consoles;

/// <summary>A watcher of a serial console: every keystroke (and every answer its terminal sends) is dropped — a serial
/// line has no messages a viewer needs to send, unlike RFB's (ADR 0054).</summary>
public sealed class DropAllInput : IConsoleInputFilter
{
    public long DroppedBytes { get; private set; }

    public byte[] Filter(ReadOnlySpan<byte> input)
    {
        DroppedBytes += input.Length;
        return [];
    }
}
