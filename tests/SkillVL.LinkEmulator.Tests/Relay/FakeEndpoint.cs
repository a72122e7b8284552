using SkillVL.LinkEmulator.Relay;

namespace SkillVL.LinkEmulator.Tests.Relay;

/// <summary>An in-memory endpoint: frames queued with <see cref="Inject"/> are read; written frames are recorded with the fake time.</summary>
internal sealed class FakeEndpoint(string name, TimeProvider time) : IFrameEndpoint
{
    private readonly Queue<byte[]> _incoming = new();

    public string Name { get; } = name;

    public List<(byte[] Frame, long At)> Written { get; } = [];

    /// <summary>When set, writes fail (as a tap that is down does).</summary>
    public bool Down { get; set; }

    public void Inject(byte[] frame) => _incoming.Enqueue(frame);

    public int TryRead(Span<byte> buffer)
    {
        if (!_incoming.TryDequeue(out var frame))
        {
            return 0;
        }

        frame.CopyTo(buffer);
        return frame.Length;
    }

    public bool TryWrite(ReadOnlySpan<byte> frame)
    {
        if (Down)
        {
            return false;
        }

        Written.Add((frame.ToArray(), time.GetTimestamp()));
        return true;
    }

    public bool WaitReadable(TimeSpan timeout) => _incoming.Count > 0;
}
