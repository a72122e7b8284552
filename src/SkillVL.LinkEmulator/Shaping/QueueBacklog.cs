namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// The bytes of frames that have been admitted but not yet released by the token bucket: the occupancy of
/// the bounded queue in front of the rate limiter. Frames are added with their (non-decreasing) departure
/// timestamps and leave the backlog when that time has come.
/// </summary>
internal sealed class QueueBacklog
{
    private readonly FifoRing<(long DepartAt, int Bytes)> _waiting = new();

    public long Bytes { get; private set; }

    public void Add(long departAt, int bytes)
    {
        _waiting.Enqueue((departAt, bytes));
        Bytes += bytes;
    }

    /// <summary>Forgets every frame that has left by <paramref name="now"/> and returns the bytes still waiting.</summary>
    public long BytesAt(long now)
    {
        while (_waiting.Count > 0 && _waiting.Head.DepartAt <= now)
        {
            Bytes -= _waiting.Dequeue().Bytes;
        }

        return Bytes;
    }
}
