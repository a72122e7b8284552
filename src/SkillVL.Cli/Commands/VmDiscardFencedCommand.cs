using System.CommandLine;
using System.Globalization;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl vm discard-fenced ROOM/VM --epoch N</c> (ADR 0025): deletes the copy a revive fenced on the client — the
/// laptop's disk as it was when it came back, kept until someone decides it is not needed. <c>vm get</c> lists the
/// fenced copies with their epochs.
/// </summary>
internal static class VmDiscardFencedCommand
{
    public static Command Create(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var epoch = new Option<int>("--epoch") { Description = "The check-out epoch of the fenced copy (skillvl vm get lists them)", Required = true };
        epoch.Validators.Add(result =>
        {
            // An unparsable value has the parser's own error already; this one is about a number below 0.
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n < 0)
            {
                result.AddError("--epoch: a check-out epoch is a whole number ≥ 0");
            }
        });
        var command = new Command("discard-fenced", "Delete a fenced copy of a machine on its client (the laptop must be online; one it has not been back with is deleted when it returns)")
        {
            machine, epoch,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var number = parseResult.GetValue(epoch);
            await client.DeleteAsync(
                $"{ApiPaths.Machine(target.Room, target.Machine)}/fenced/{number.ToString(CultureInfo.InvariantCulture)}", target.Subject, cancellationToken);
            runner.Context.Out.WriteLine($"The fenced copy of {target} from check-out epoch {number} is discarded.");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
