using System.CommandLine;
using SkillVL.Cli.Input;
using SkillVL.Core.Rooms;
using SkillVL.Core.Rooms.LabFormats;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl room export --to kypo|containerlab -f room.yaml</c>: a room document as a peer's lab file on standard output
/// (or <c>--output</c>), every element it does not carry on standard error. Runs here, without a Server; a room on the
/// Server is exported through <c>skillvl room get NAME -o yaml | skillvl room export --to kypo -f -</c> (ADR 0053).
/// </summary>
internal static class RoomExportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var to = new Option<string>("--to") { Description = "The format: kypo or containerlab (Ludus cannot hold a room's addresses)", HelpName = "FORMAT", Required = true };
        to.AcceptOnlyFromAmong("kypo", "containerlab");
        var file = new Option<string>("--file", "-f") { Description = "The room document (room.yaml); - reads stdin", HelpName = "FILE", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the lab file here instead of standard output", HelpName = "FILE" };
        var command = new Command("export", "Write a room document as a KYPO topology or a containerlab topology, listing what it does not carry")
        {
            to, file, output,
        };
        command.SetAction(runner.LocalAction(async (parseResult, _, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var text = await RoomFileReader.ReadTextAsync(path, runner.Context.In, cancellationToken);
            var error = runner.Context.Error;
            var parsed = RoomDocument.Parse(text);
            if (parsed.Definition is null)
            {
                foreach (var problem in parsed.Errors)
                {
                    error.WriteLine($"skillvl: {path}: {(problem.Field.Length == 0 ? "" : problem.Field + ": ")}{problem.Message}");
                }

                return ExitCodes.InvalidInput;
            }

            var format = Enum.Parse<LabFormat>(parseResult.GetRequiredValue(to), ignoreCase: true);
            var result = LabExporter.Export(format, parsed.Definition);
            foreach (var note in result.NotMapped)
            {
                error.WriteLine($"{path}: {note.Field}: {note.Message}");
            }

            var header = $"# Exported from SkillVL room '{parsed.Definition.Metadata.Name}' by `skillvl room export`; {result.NotMapped.Count} note(s) on what it does not carry as it was (printed when it ran).\n";
            if (parseResult.GetValue(output) is { } target)
            {
                await File.WriteAllTextAsync(target, header + result.Text, cancellationToken);
                error.WriteLine($"{LabImporter.FormatName(format)} file written to {target}");
            }
            else
            {
                runner.Context.Out.Write(header + result.Text);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
