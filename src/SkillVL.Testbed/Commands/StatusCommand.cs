using System.CommandLine;
using SkillVL.Testbed.Status;

namespace SkillVL.Testbed.Commands;

/// <summary><c>skillvl-testbed status</c>: exit 0 when healthy or nothing is up, 1 when something recorded is missing or dead.</summary>
internal static class StatusCommand
{
    public static Command Create(TestbedContext context)
    {
        var state = StateOption.Create();
        var output = StateOption.Output();
        var command = new Command("status", "Show the nodes, their namespaces, addresses, agents and client links, checked against the host") { state, output };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var directory = parseResult.GetValue(state)!;
            var status = await new TestbedController(context.Error, context.Time).StatusAsync(directory, cancellationToken);
            var json = parseResult.GetValue(output) == "json";
            if (status is null)
            {
                await (json
                    ? context.Out.WriteLineAsync("null")
                    : context.Out.WriteLineAsync($"no testbed is up (no state in {Path.GetFullPath(directory)})"));
                return ExitCodes.Ok;
            }

            if (json)
            {
                StatusPrinter.Json(context.Out, status);
            }
            else
            {
                StatusPrinter.Table(context.Out, status);
            }

            return status.Healthy ? ExitCodes.Ok : ExitCodes.Error;
        });
        return command;
    }
}
