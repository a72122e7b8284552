using System.Buffers.Binary;

namespace SkillVL.Drivers.Qemu.Networking.Switching;

/// <summary>
/// The learning table of one <see cref="StreamSwitch"/>: source MAC → the port it was last seen on, forgotten after
/// <see cref="Ageing"/> without a frame from it (a guest that moved to another port, or went away, is flooded to again
/// instead of being sent into a dead port forever). At most <see cref="Capacity"/> entries: a guest that forges source
/// addresses cannot grow the agent's memory; unknown addresses are flooded, which is correct, only slower.
/// Not thread-safe: the switch holds its lock around it.
/// </summary>
internal sealed class MacTable(TimeProvider time, TimeSpan ageing, int capacity)
{
    private readonly Dictionary<ulong, (SwitchPort Port, long Seen)> _entries = [];

    public TimeSpan Ageing { get; } = ageing;

    public int Capacity { get; } = capacity;

    public int Count => _entries.Count;

    /// <summary>Records that <paramref name="mac"/> (6 bytes) is behind <paramref name="port"/>, now.</summary>
    public void Learn(ReadOnlySpan<byte> mac, SwitchPort port)
    {
        var key = Key(mac);
        if (_entries.Count >= Capacity && !_entries.ContainsKey(key))
        {
            PurgeExpired();
            if (_entries.Count >= Capacity)
            {
                return;
            }
        }

        _entries[key] = (port, time.GetTimestamp());
    }

    /// <summary>The port <paramref name="mac"/> was last seen on, or null when unknown or aged out.</summary>
    public SwitchPort? Find(ReadOnlySpan<byte> mac)
    {
        var key = Key(mac);
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (time.GetElapsedTime(entry.Seen) >= Ageing)
        {
            _entries.Remove(key);
            return null;
        }

        return entry.Port;
    }

    /// <summary>Forgets every address behind <paramref name="port"/> (the port went away).</summary>
    public void Forget(SwitchPort port)
    {
        foreach (var (key, entry) in _entries)
        {
            if (ReferenceEquals(entry.Port, port))
            {
                _entries.Remove(key);
            }
        }
    }

    private void PurgeExpired()
    {
        foreach (var (key, entry) in _entries)
        {
            if (time.GetElapsedTime(entry.Seen) >= Ageing)
            {
                _entries.Remove(key);
            }
        }
    }

    private static ulong Key(ReadOnlySpan<byte> mac) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(mac) << 32) | BinaryPrimitives.ReadUInt32BigEndian(mac[2..]);
}
