using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl task list|get|watch</c>, and what every verb that starts a task does with its 202.</summary>
internal static class TaskCommands
{
    public static Command Create(CommandRunner runner)
    {
        var task = new Command("task", "Long operations (room apply, machine start, ...) and their logs");
        task.Subcommands.Add(List(runner));
        task.Subcommands.Add(Get(runner));
        task.Subcommands.Add(Watch(runner));
        return task;
    }

    /// <summary>
    /// After a 202: with --no-wait, the task id alone on stdout (for <c>id=$(skillvl ... --no-wait)</c>) and a
    /// hint on stderr; otherwise follow the task to its end.
    /// </summary>
    public static async Task<int> AcceptedAsync(
        CliContext context, SkillVlClient client, TaskInfo task, bool noWait, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (noWait)
        {
            context.Out.WriteLine(task.Id);
            context.Error.WriteLine($"task {task.Id} ({task.Kind} {task.Target}) {task.State}; follow it with: skillvl task watch {task.Id}");
            return ExitCodes.Ok;
        }

        return await new TaskFollower(context, client).FollowAsync(task, timeout ?? TaskFollower.DefaultTimeout, cancellationToken);
    }

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List tasks, newest first") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Tasks, "tasks", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("ID", "KIND", "TARGET", "STATE", "PROGRESS", "AGE", "OUTCOME");
            foreach (var task in ApiJson.Read<List<TaskInfo>>(answer))
            {
                table.Add(
                    task.Id,
                    task.Kind,
                    task.Target,
                    task.State,
                    DisplayFormat.Percent(task.Progress),
                    DisplayFormat.Age(task.CreatedAt, now),
                    DisplayFormat.OrNone(task.Outcome));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The task's id" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("get", "Show a task and its log") { id, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var taskId = parseResult.GetRequiredValue(id);
            var answer = await client.GetAsync(ApiPaths.Task(taskId), $"task '{taskId}'", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var task = ApiJson.Read<TaskInfo>(answer);
            printer.Fields(
                ("Id:", task.Id),
                ("Kind:", task.Kind),
                ("Target:", task.Target),
                ("State:", task.State),
                ("Progress:", DisplayFormat.Percent(task.Progress)),
                ("Created:", DisplayFormat.Time(task.CreatedAt)),
                ("Finished:", task.FinishedAt is { } finished ? DisplayFormat.Time(finished) : DisplayFormat.None),
                ("Outcome:", DisplayFormat.OrNone(task.Outcome)));
            if (task.Log is { Count: > 0 } log)
            {
                printer.Line("Log:");
                foreach (var line in log)
                {
                    printer.Line($"  {DisplayFormat.LogTime(line.Timestamp)} {line.Message}");
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Watch(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The task's id" };
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command("watch", "Follow a task until it ends; exit 0 if it succeeded, 6 if it failed") { id, timeout };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var task = await client.GetTaskAsync(parseResult.GetRequiredValue(id), cancellationToken);
            return await new TaskFollower(runner.Context, client)
                .FollowAsync(task, parseResult.GetValue(timeout) ?? TaskFollower.DefaultTimeout, cancellationToken);
        }));
        return command;
    }
}
