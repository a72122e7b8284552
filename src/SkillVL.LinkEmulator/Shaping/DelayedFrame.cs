namespace SkillVL.LinkEmulator.Shaping;

/// <summary>A frame in flight: its pooled buffer, its length, and the timestamp at which it is due at the far end.</summary>
public readonly record struct DelayedFrame(byte[] Buffer, int Length, long DueAt)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
}
