namespace SkillVL.Core.Placement.Control;

/// <summary>
/// The controller's bounded decision log (ADR 0030): the newest <see cref="Capacity"/> entries, in memory. A decision is
/// kept when it differs from the machine's previous one (target, outcome, code) or acts: an evaluation every 30 s that
/// holds the same machine for the same reason would otherwise push everything else out.
/// </summary>
public sealed class DecisionLog(int capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<PlacementDecision> _entries = new();
    private readonly Dictionary<string, (string To, string Outcome, string Code)> _last = new(StringComparer.Ordinal);

    /// <summary>How many entries are kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    /// <summary>Adds <paramref name="decision"/> unless it repeats the machine's previous one; true when added.</summary>
    public bool Add(PlacementDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var key = (decision.To, decision.Outcome, decision.Code);
        lock (_lock)
        {
            if (decision.Outcome != DecisionOutcomes.Acted && _last.TryGetValue(decision.MachineId, out var last) && last == key)
            {
                return false;
            }

            _last[decision.MachineId] = key;
            _entries.AddFirst(decision);
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }

            return true;
        }
    }

    /// <summary>The newest <paramref name="limit"/> entries, newest first.</summary>
    public IReadOnlyList<PlacementDecision> Recent(int limit)
    {
        lock (_lock)
        {
            return _entries.Take(Math.Max(0, limit)).ToList();
        }
    }
}
