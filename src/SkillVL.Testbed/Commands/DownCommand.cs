using System.CommandLine;

namespace SkillVL.Testbed.Commands;

/// <summary><c>skillvl-testbed down</c>.</summary>
internal static class DownCommand
{
    public static Command Create(TestbedContext context)
    {
        var state = StateOption.Create();
        var command = new Command("down", "Remove everything the testbed made: agents, emulators, namespaces, interfaces, bridge, files") { state };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var directory = parseResult.GetValue(state)!;
            var report = await new TestbedController(context.Out, context.Time).DownAsync(directory, cancellationToken);
            if (report.NothingWasUp)
            {
                await context.Out.WriteLineAsync($"no testbed is up (no state in {Path.GetFullPath(directory)}); nothing to do");
            }
            else
            {
                await context.Out.WriteLineAsync("testbed removed");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
