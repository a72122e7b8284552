using System.Numerics;

namespace SkillVL.LinkEmulator.Shaping;

/// <summary>
/// Buffers for frames in flight, in power-of-two size classes from 128 bytes to 64 KiB, kept for reuse.
/// Single-threaded by design: each direction owns one, rents on arrival and returns after delivery on the
/// same thread. It grows to the most frames ever in flight at once and then allocates nothing; the shared
/// <see cref="System.Buffers.ArrayPool{T}"/> keeps only a few dozen arrays per size and would allocate under
/// the hundreds of frames a 100 Mbit/s × 20 ms link holds.
/// </summary>
public sealed class FrameBufferPool
{
    private const int SmallestShift = 7;
    private const int LargestShift = 16;

    /// <summary>The largest frame the pool holds (64 KiB: a tap's frame never exceeds its 16-bit length).</summary>
    public const int MaxFrameBytes = 1 << LargestShift;

    private readonly Stack<byte[]>[] _classes = Enumerable.Range(0, LargestShift - SmallestShift + 1).Select(_ => new Stack<byte[]>()).ToArray();

    /// <summary>How many buffers were allocated (the pool's high-water mark in buffers).</summary>
    public long Allocated { get; private set; }

    public byte[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxFrameBytes);
        var index = ClassOf(length);
        if (_classes[index].TryPop(out var buffer))
        {
            return buffer;
        }

        Allocated++;
        return new byte[1 << (index + SmallestShift)];
    }

    public void Return(byte[] buffer)
    {
        var index = ClassOf(buffer.Length);
        if (buffer.Length == 1 << (index + SmallestShift))
        {
            _classes[index].Push(buffer);
        }
    }

    private static int ClassOf(int length) =>
        length <= 1 << SmallestShift ? 0 : BitOperations.Log2((uint)length - 1) + 1 - SmallestShift;
}
