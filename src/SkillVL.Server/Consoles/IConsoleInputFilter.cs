namespace SkillVL.Server.Consoles;

/// <summary>What of a watcher's input may reach the guest (ADR 0050): the bytes passed, and a count of those dropped.</summary>
public interface IConsoleInputFilter
{
    long DroppedBytes { get; }

    byte[] Filter(ReadOnlySpan<byte> input);
}
