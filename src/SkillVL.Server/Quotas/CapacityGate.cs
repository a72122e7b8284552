namespace SkillVL.Server.Quotas;

/// <summary>
/// Serializes every change that takes capacity — quota check, node placement and the save of the rows — so two
/// requests at once cannot both pass the check on the same free capacity and together exceed a quota or a node
/// (issue 11, finding 3: the quota race under parallel creates). One semaphore in the Server process: enough for
/// the one Server a platform runs (a second Server on the same database would need a database-side lock). The
/// critical section is a few queries and one save; a request waits at most for the ones ahead of it.
/// </summary>
public sealed class CapacityGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Held until disposed; not reentrant (a holder calls only methods documented to expect it held).</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Release(_gate);
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
