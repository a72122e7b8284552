using System.Text.Json;
using SkillVL.Agent.Remote;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Agent.Local;

/// <summary>
/// What the node did on its own (ADR 0024), in &lt;data&gt;/local/journal.json (0600) until the Server acknowledges it:
/// an entry is appended before the action runs, so a crash in between leaves it reported, not lost. Sequence numbers
/// never go back (the highest is kept even when every entry is acknowledged), so the Server's acknowledgement is exact.
/// </summary>
public sealed class OfflineJournal
{
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private State _state;

    public OfflineJournal(string dataDirectory, TimeProvider time)
    {
        var local = Path.Combine(dataDirectory, "local");
        PrivateFiles.EnsureDirectory(local);
        _path = Path.Combine(local, "journal.json");
        _time = time;
        _state = Load(_path);
    }

    /// <summary>Entries not yet acknowledged, oldest first.</summary>
    public IReadOnlyList<OfflineJournalEntry> Pending
    {
        get
        {
            lock (_lock)
            {
                return _state.Entries.ToList();
            }
        }
    }

    public OfflineJournalEntry Append(string vmId, string vm, string action, string by, bool offline, string? detail = null)
    {
        lock (_lock)
        {
            var entry = new OfflineJournalEntry(_state.LastSeq + 1, _time.GetUtcNow(), vmId, vm, action, by, offline, detail);
            Save(new State(entry.Seq, [.. _state.Entries, entry]));
            return entry;
        }
    }

    /// <summary>The Server recorded every entry up to <paramref name="seq"/>: forget them.</summary>
    public void Acknowledge(long seq)
    {
        lock (_lock)
        {
            if (_state.Entries.Any(e => e.Seq <= seq))
            {
                Save(_state with { Entries = _state.Entries.Where(e => e.Seq > seq).ToList() });
            }
        }
    }

    private void Save(State state)
    {
        PrivateFiles.WriteAtomically(_path, JsonSerializer.Serialize(state, AgentChannel.Json));
        _state = state;
    }

    private static State Load(string path)
    {
        if (!File.Exists(path))
        {
            return new State(0, []);
        }

        return JsonSerializer.Deserialize<State>(File.ReadAllText(path), AgentChannel.Json) ?? new State(0, []);
    }

    private sealed record State(long LastSeq, IReadOnlyList<OfflineJournalEntry> Entries);
}
