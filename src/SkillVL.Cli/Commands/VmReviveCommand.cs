using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl vm revive ROOM/VM [--lost]</c> (ADR 0025): a checked-out machine starts again on the server from its last
/// synced copy — after its lease ran out, or at once with <c>--lost</c> (the laptop is declared lost; its copy may run on
/// offline until it reconnects and is fenced). What the laptop wrote after its last sync is kept there as a fenced copy.
/// </summary>
internal static class VmReviveCommand
{
    public static Command Create(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var lost = new Option<bool>("--lost") { Description = "Declare the client lost: revive before its lease ran out (its copy is fenced when it returns)" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("revive", "Start a checked-out machine on the server from its last synced copy when its client is gone (lease expired, or --lost)")
        {
            machine, lost, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var answer = await client.SendJsonAsync(HttpMethod.Post, $"{ApiPaths.Machine(target.Room, target.Machine)}/revive",
                new ReviveRequest(parseResult.GetValue(lost)), target.Subject, cancellationToken);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                new Printer(runner.Context).Json(answer);
                return ExitCodes.Ok;
            }

            var m = ApiJson.Read<MachineStatus>(answer);
            var fenced = m.FencedCopies?.OrderByDescending(f => f.Epoch).FirstOrDefault();
            runner.Context.Out.WriteLine($"{target} is revived on {m.Node} from its last synced copy (a cold boot)" +
                (fenced is null ? "" : $"; the copy on {fenced.Node} (epoch {fenced.Epoch}) is fenced and will be set aside, not deleted, when it reconnects"));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
