namespace SkillVL.LinkEmulator.Relay;

/// <summary>
/// One end of the emulated link: a place frames come from and go to (a tap device, or an in-memory fake in
/// tests). Each direction's thread reads from one endpoint and writes to the other, so an implementation must
/// allow one reader and one writer at the same time.
/// </summary>
public interface IFrameEndpoint
{
    /// <summary>A name for logs and stats (the tap's interface name).</summary>
    string Name { get; }

    /// <summary>Reads one waiting frame into <paramref name="buffer"/> and returns its length, or 0 when none is waiting. Never blocks.</summary>
    /// <exception cref="IOException">The endpoint is gone for good (e.g. the tap was deleted).</exception>
    int TryRead(Span<byte> buffer);

    /// <summary>Writes one frame; false when the endpoint dropped it (interface down, no buffer space).</summary>
    /// <exception cref="IOException">The endpoint is gone for good.</exception>
    bool TryWrite(ReadOnlySpan<byte> frame);

    /// <summary>Waits until a frame can be read or <paramref name="timeout"/> passes; true if one can be read.</summary>
    bool WaitReadable(TimeSpan timeout);
}
