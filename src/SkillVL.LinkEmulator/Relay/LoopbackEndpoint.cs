namespace SkillVL.LinkEmulator.Relay;

/// <summary>An in-memory endpoint that reads what was queued in <see cref="Pending"/> and discards what is written (for <see cref="DirectionPump.WarmUp"/>).</summary>
internal sealed class LoopbackEndpoint : IFrameEndpoint
{
    public Queue<byte[]> Pending { get; } = new();

    public string Name => "loopback";

    public int TryRead(Span<byte> buffer)
    {
        if (!Pending.TryDequeue(out var frame))
        {
            return 0;
        }

        frame.CopyTo(buffer);
        return frame.Length;
    }

    public bool TryWrite(ReadOnlySpan<byte> frame) => true;

    public bool WaitReadable(TimeSpan timeout) => Pending.Count > 0;
}
