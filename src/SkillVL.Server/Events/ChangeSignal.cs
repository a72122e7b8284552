namespace SkillVL.Server.Events;

/// <summary>
/// "The platform's state changed": raised after every database write that others show (rooms, machines, NICs,
/// networks, tasks, migrations, courses, users …; <see cref="ChangeSignalInterceptor"/>), awaited by the event streams
/// instead of reading the database every second (issue 11 finding 4). A version counter, so a waiter that looked at
/// version N wakes for any change after it, even one that came before it started to wait.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    /// <summary>Changes so far; pass it to <see cref="WaitAsync"/> to wait for the next one.</summary>
    public long Version => Interlocked.Read(ref _version);

    public void Raise()
    {
        // Version first, then the swap: a waiter that read the old version holds the old task, which completes here.
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>True when something changed after <paramref name="seen"/>; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(long seen, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _next);
        if (Version != seen)
        {
            return true;
        }

        try
        {
            await next.Task.WaitAsync(timeout, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
