namespace SkillVL.Drivers.Proxmox.Api;

/// <summary>
/// Retries a PVE call that failed transiently, with doubling delays. The rule differs by idempotence (STYLE habit 5):
/// a read is retried on any transient failure; a write only when PVE ANSWERED that a lock was busy or timed out, because
/// PVE takes the lock before it changes anything (qemu-server <c>check_lock</c>/<c>lock_config</c>), whereas a write whose
/// answer was lost (connection reset, timeout) may have happened and must be looked at, not repeated.
/// </summary>
public sealed class TransientRetry(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;

    /// <summary>Tries in all, the first included. Five with the defaults waits at most 0.5+1+2+4 s: a clone's lock on Ceph.</summary>
    public int Attempts { get; init; } = 5;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    public async Task<T> RunAsync<T>(bool idempotent, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (ProxmoxException e) when (attempt < Attempts && e.IsTransient && (idempotent || e.StatusCode is not null))
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
            }
        }
    }
}
