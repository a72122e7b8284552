using System.Diagnostics;

namespace SkillVL.TestUtilities;

/// <summary>Waits that always end: every wait in a test has a timeout and says what it waited for.</summary>
public static class Bounded
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls <paramref name="condition"/> until true; throws <see cref="TimeoutException"/> naming <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(
        Func<Task<bool>> condition,
        TimeSpan timeout,
        string what,
        TimeSpan? poll = null,
        CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        Exception? last = null;
        while (stopwatch.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
            }

            await Task.Delay(poll ?? DefaultPoll, cancellationToken);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.", last);
    }

    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what, poll);

    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="timeout"/>.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.", e);
        }
    }

    public static async Task WithinAsync(Task task, TimeSpan timeout, string what)
    {
        try
        {
            await task.WaitAsync(timeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.", e);
        }
    }
}
