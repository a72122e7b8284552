namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// Frames in flight, in order, each with the timestamp at which it is due. Due times never decrease: a frame
/// given an earlier time than the one before it (jitter) is held until that one, because reordering would
/// make TCP see spurious losses that a real path of this kind does not cause.
/// </summary>
public sealed class DelayLine
{
    private readonly FifoRing<DelayedFrame> _frames = new(256);
    private long _lastDueAt = long.MinValue;

    public int Count => _frames.Count;

    /// <summary>Bytes of the frames in flight.</summary>
    public long Bytes { get; private set; }

    /// <summary>When the next frame is due; <see cref="long.MaxValue"/> when none is in flight.</summary>
    public long NextDueAt => _frames.Count == 0 ? long.MaxValue : _frames.Head.DueAt;

    /// <summary>Adds a frame due at <paramref name="dueAt"/>, or right after the previous one if that is later; returns the due time given.</summary>
    public long Enqueue(byte[] buffer, int length, long dueAt)
    {
        dueAt = Math.Max(dueAt, _lastDueAt);
        _lastDueAt = dueAt;
        _frames.Enqueue(new DelayedFrame(buffer, length, dueAt));
        Bytes += length;
        return dueAt;
    }

    /// <summary>Takes the oldest frame if it is due at <paramref name="now"/>.</summary>
    public bool TryDequeueDue(long now, out DelayedFrame frame)
    {
        if (_frames.Count > 0 && _frames.Head.DueAt <= now)
        {
            frame = _frames.Dequeue();
            Bytes -= frame.Length;
            return true;
        }

        frame = default;
        return false;
    }

    /// <summary>Takes the oldest frame whether due or not (to give buffers back on shutdown).</summary>
    public bool TryDequeueAny(out DelayedFrame frame) => TryDequeueDue(long.MaxValue, out frame);
}
