using System.Collections.Concurrent;

namespace SkillVL.Server.Machines;

/// <summary>
/// The migrations this Server process is working on, by machine: the runner adds one before it touches any node and
/// removes it after its final cleanup. The reconciler reads it to leave those machines alone — no restart on the
/// source, no orphan sweep of the half-made VM on the target, the room's networks kept on the target. Runs survive
/// nothing, so memory is the truth here; a restarted Server marks what the database says was running as failed and
/// cleans it up (<c>Migrations.MigrationRunner.RecoverAsync</c>) while it is listed here.
/// </summary>
public sealed class ActiveMigrations
{
    private readonly ConcurrentDictionary<string, Entry> _byMachine = new(StringComparer.Ordinal);

    /// <summary>One migration in work.</summary>
    /// <param name="Cancel">Cancels the run (a user's cancel); not the cleanup.</param>
    public sealed record Entry(string MigrationId, string MachineId, string RoomId, string SourceNode, string TargetNode, CancellationTokenSource Cancel)
    {
        /// <summary>Completes when the entry is removed.</summary>
        internal TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public bool TryAdd(Entry entry) => _byMachine.TryAdd(entry.MachineId, entry);

    public void Remove(Entry entry)
    {
        if (_byMachine.TryRemove(new KeyValuePair<string, Entry>(entry.MachineId, entry)))
        {
            entry.Released.TrySetResult();
        }
    }

    public bool IsMigrating(string machineId) => _byMachine.ContainsKey(machineId);

    /// <summary>
    /// Waits, up to <paramref name="grace"/>, for the hold on <paramref name="machineId"/> to go when its migration is
    /// already final in the database (<paramref name="isFinal"/>). The runner writes the final state as its last step
    /// and drops the hold right after: a client that read "succeeded" and at once asks for the next move (a check-in
    /// after a check-out) must not meet that last moment's hold as "already running". Returns whether the machine is
    /// still held.
    /// </summary>
    public async Task<bool> IsMigratingAfterFinishAsync(string machineId, Func<string, CancellationToken, Task<bool>> isFinal, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!_byMachine.TryGetValue(machineId, out var entry))
        {
            return false;
        }

        if (!await isFinal(entry.MigrationId, cancellationToken))
        {
            return true;
        }

        try
        {
            await entry.Released.Task.WaitAsync(grace, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Still held after the grace: the caller answers "already running", as it would have.
        }

        return IsMigrating(machineId);
    }

    public Entry? ForMigration(string migrationId) => _byMachine.Values.FirstOrDefault(e => e.MigrationId == migrationId);

    /// <summary>Target nodes of the room's migrations: its networks must exist there too.</summary>
    public IEnumerable<string> TargetNodes(string roomId) =>
        _byMachine.Values.Where(e => e.RoomId == roomId).Select(e => e.TargetNode);

    public IReadOnlyCollection<Entry> All => [.. _byMachine.Values];
}
