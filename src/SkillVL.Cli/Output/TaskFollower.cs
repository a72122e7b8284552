using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Core.Api;
using Spectre.Console;

namespace SkillVL.Cli.Output;

/// <summary>
/// Follows a task to its end: a Spectre progress bar with the log above it on a terminal, plain log lines
/// otherwise. Exit code: 0 when it succeeded, <see cref="ExitCodes.TaskFailed"/> when it failed.
/// </summary>
internal sealed class TaskFollower(CliContext context, SkillVlClient client)
{
    /// <summary>How long <c>--timeout</c> lets a follow run by default: a room of several TCG guests boots in well under this.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Polls in a row that may fail for a passing reason (server restarting, 503) before giving up:
    /// at the 500 ms poll interval that is a few seconds of grace. Polling is a GET, so retrying is safe.
    /// </summary>
    private const int MaxConsecutivePollFailures = 5;

    public async Task<int> FollowAsync(TaskInfo accepted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var final = context.IsTerminal
            ? await FollowLiveAsync(accepted, timeout, cancellationToken)
            : await PollAsync(accepted, timeout, (_, lines) => WritePlainLog(lines), cancellationToken);

        if (final.State == TaskStates.Succeeded)
        {
            context.Out.WriteLine($"task {final.Id} succeeded{Suffix(final.Outcome)}");
            return ExitCodes.Ok;
        }

        context.Error.WriteLine($"skillvl: task {final.Id} ({final.Kind} {final.Target}) failed{Suffix(final.Outcome)}");
        return ExitCodes.TaskFailed;
    }

    private async Task<TaskInfo> FollowLiveAsync(TaskInfo accepted, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskInfo final = accepted;
        await context.Console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(Markup.Escape($"{accepted.Kind} {accepted.Target}"), maxValue: 1.0);
                final = await PollAsync(
                    accepted,
                    timeout,
                    (task, lines) =>
                    {
                        // Writes during a live display land above it (Spectre's render hook), so the log scrolls
                        // while the bar stays at the bottom.
                        foreach (var line in lines)
                        {
                            context.Console.MarkupLine($"[grey]{DisplayFormat.LogTime(line.Timestamp)}[/] {Markup.Escape(line.Message)}");
                        }

                        bar.Value = Math.Clamp(task.Progress, 0, 1);
                        bar.Description = Markup.Escape($"{task.Kind} {task.Target}") + $" [grey]{Markup.Escape(task.State)}[/]";
                        if (TaskStates.IsFinal(task.State))
                        {
                            if (task.State == TaskStates.Succeeded)
                            {
                                bar.Value = bar.MaxValue;
                            }

                            bar.StopTask();
                        }
                    },
                    cancellationToken);
            });
        return final;
    }

    /// <summary>Polls until the task is final, handing each state and the log lines not yet shown to <paramref name="onUpdate"/>.</summary>
    private async Task<TaskInfo> PollAsync(
        TaskInfo accepted, TimeSpan timeout, Action<TaskInfo, IReadOnlyList<TaskLogLine>> onUpdate, CancellationToken cancellationToken)
    {
        var started = context.TimeProvider.GetTimestamp();
        var shown = 0;
        var failures = 0;
        var task = accepted;
        while (true)
        {
            var log = task.Log ?? [];

            // The log only grows; if a server ever trims it, start again from its new end rather than repeat lines.
            var fresh = log.Count >= shown ? log.Skip(shown).ToList() : [];
            shown = log.Count;
            onUpdate(task, fresh);
            if (TaskStates.IsFinal(task.State))
            {
                return task;
            }

            if (context.TimeProvider.GetElapsedTime(started) >= timeout)
            {
                throw new CliException(
                    $"gave up waiting for task {task.Id} after {DurationParser.Format(timeout)}; it goes on on the server: skillvl task watch {task.Id}",
                    ExitCodes.Error);
            }

            await Task.Delay(context.PollInterval, context.TimeProvider, cancellationToken);
            try
            {
                task = await client.GetTaskAsync(accepted.Id, cancellationToken);
                failures = 0;
            }
            catch (Exception e) when (SkillVlClient.IsTransient(e) && ++failures < MaxConsecutivePollFailures)
            {
                // Try again at the next tick; the last failure is reported as is.
            }
        }
    }

    private void WritePlainLog(IReadOnlyList<TaskLogLine> lines)
    {
        foreach (var line in lines)
        {
            context.Out.WriteLine($"{DisplayFormat.LogTime(line.Timestamp)} {line.Message}");
        }
    }

    private static string Suffix(string? outcome) => string.IsNullOrWhiteSpace(outcome) ? "" : $": {outcome}";
}
