using System.Collections.Concurrent;

namespace SkillVL.Server.Migrations;

/// <summary>
/// The migrations this Server process is working on, by machine: the runner adds one before it touches any node and
/// removes it after its final cleanup. The reconciler reads it to leave those machines alone — no restart on the
/// source, no orphan sweep of the half-made VM on the target, the room's networks kept on the target. Runs survive
/// nothing, so memory is the truth here; a restarted Server marks what the database says was running as failed and
/// cleans it up (<see cref="MigrationRunner.RecoverAsync"/>) while it is listed here.
/// </summary>
public sealed class ActiveMigrations
{
    private readonly ConcurrentDictionary<string, Entry> _byMachine = new(StringComparer.Ordinal);

    /// <summary>One migration in work.</summary>
    /// <param name="Cancel">Cancels the run (a user's cancel); not the cleanup.</param>
    public sealed record Entry(string MigrationId, string MachineId, string RoomId, string SourceNode, string TargetNode, CancellationTokenSource Cancel);

    public bool TryAdd(Entry entry) => _byMachine.TryAdd(entry.MachineId, entry);

    public void Remove(Entry entry) => _byMachine.TryRemove(new KeyValuePair<string, Entry>(entry.MachineId, entry));

    public bool IsMigrating(string machineId) => _byMachine.ContainsKey(machineId);

    public Entry? ForMigration(string migrationId) => _byMachine.Values.FirstOrDefault(e => e.MigrationId == migrationId);

    /// <summary>Target nodes of the room's migrations: its networks must exist there too.</summary>
    public IEnumerable<string> TargetNodes(string roomId) =>
        _byMachine.Values.Where(e => e.RoomId == roomId).Select(e => e.TargetNode);

    public IReadOnlyCollection<Entry> All => [.. _byMachine.Values];
}
