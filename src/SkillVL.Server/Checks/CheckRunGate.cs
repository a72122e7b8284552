namespace SkillVL.Server.Checks;

/// <summary>
/// Admits runs of a room's checks (ADR 0042): one at a time per room, and none sooner than
/// <see cref="CheckOptions.MinInterval"/> after the room's last run ended. In memory: the Server is one process, and a
/// restart forgetting the last run costs at most one early run.
/// </summary>
public sealed class CheckRunGate(TimeProvider time)
{
    private readonly Dictionary<string, (bool Running, DateTimeOffset EndedAt)> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Null and the room marked running (call <see cref="End"/> when done), or how long to wait before asking again
    /// (<see cref="TimeSpan.Zero"/>: a run is going now).
    /// </summary>
    public TimeSpan? TryStart(string roomId, TimeSpan minInterval)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_rooms.TryGetValue(roomId, out var room))
            {
                if (room.Running)
                {
                    return TimeSpan.Zero;
                }

                var wait = room.EndedAt + minInterval - now;
                if (wait > TimeSpan.Zero)
                {
                    return wait;
                }
            }

            _rooms[roomId] = (true, now);
            ForgetOld(now, minInterval);
            return null;
        }
    }

    public void End(string roomId)
    {
        lock (_lock)
        {
            _rooms[roomId] = (false, time.GetUtcNow());
        }
    }

    /// <summary>Rooms whose last run ended longer ago than the interval need no entry; keeps the map to the active rooms.</summary>
    private void ForgetOld(DateTimeOffset now, TimeSpan minInterval)
    {
        if (_rooms.Count < 1024)
        {
            return;
        }

        foreach (var (id, _) in _rooms.Where(r => !r.Value.Running && r.Value.EndedAt + minInterval <= now).ToList())
        {
            _rooms.Remove(id);
        }
    }
}
