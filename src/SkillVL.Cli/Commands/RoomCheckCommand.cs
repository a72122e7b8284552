using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checks;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl room check ROOM [--last]</c> (issue 17, ADR 0042): runs the room's checks (or reads the latest results) and
/// prints each one passed or failed with what was seen; exit 0 only when every check passed.
/// </summary>
internal static class RoomCheckCommand
{
    /// <summary>
    /// The server answers when every check ended: each has 15 s and all together 60 s (SkillVL:Checks:RunTimeout) by
    /// default; 30 s more leave room for a loaded Server.
    /// </summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    public static Command Create(CommandRunner runner)
    {
        var room = new Argument<string>("ROOM") { Description = RoomArgument.Description };
        var last = new Option<bool>("--last") { Description = "Show the latest run's results instead of running the checks again" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command(
            "check",
            "Run the room's exercise checks in its machines and print each one's result; exit 0 only when all pass (--last: the latest results)")
        {
            room, last, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var roomRef = parseResult.GetRequiredValue(room);
            var subject = $"room '{roomRef}'";
            var answer = parseResult.GetValue(last)
                ? await client.GetAsync(ApiPaths.RoomChecks(roomRef), subject, cancellationToken)
                : await client.PostAsync(ApiPaths.RoomChecks(roomRef), subject, RunTimeout, cancellationToken);
            var results = ApiJson.Read<List<CheckResultInfo>>(answer);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
            }
            else
            {
                Print(runner, results);
            }

            return Verdict(runner, roomRef, results, parseResult.GetValue(last));
        }));
        return command;
    }

    private static void Print(CommandRunner runner, List<CheckResultInfo> results)
    {
        var printer = new Printer(runner.Context);
        foreach (var result in results)
        {
            printer.Line($"{(result.Passed ? "PASS" : "FAIL")}  {result.Name}: {result.Detail}");
        }
    }

    /// <summary>The summary goes to stderr, so <c>-o json</c> keeps stdout the server's JSON alone.</summary>
    private static int Verdict(CommandRunner runner, string room, List<CheckResultInfo> results, bool last)
    {
        var error = runner.Context.Error;
        if (results.Count == 0)
        {
            error.WriteLine(last
                ? $"skillvl: the checks of room '{room}' have not run yet (or it has none); run them with: skillvl room check {room}"
                : $"skillvl: room '{room}' has no checks (they are the checks: list of its room.yaml)");
            return ExitCodes.Error;
        }

        var passed = results.Count(r => r.Passed);
        var when = DisplayFormat.Time(results[0].At);
        if (passed == results.Count)
        {
            error.WriteLine($"all {results.Count} check{(results.Count == 1 ? "" : "s")} passed ({when})");
            return ExitCodes.Ok;
        }

        error.WriteLine($"skillvl: {results.Count - passed} of {results.Count} check{(results.Count == 1 ? "" : "s")} of room '{room}' failed ({when}): "
            + string.Join(", ", results.Where(r => !r.Passed).Select(r => r.Name)));
        return ExitCodes.ChecksFailed;
    }
}
