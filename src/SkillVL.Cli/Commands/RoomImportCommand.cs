using System.CommandLine;
using SkillVL.Cli.Input;
using SkillVL.Core.Rooms;
using SkillVL.Core.Rooms.LabFormats;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl room import --from containerlab|kypo|ludus FILE</c>: the room document on standard output (or
/// <c>--output</c>), every element it does not carry on standard error as <c>not mapped:</c>. Runs here, without a
/// Server; <c>skillvl room apply</c> sends the result (ADR 0053).
/// </summary>
internal static class RoomImportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var from = new Option<string>("--from")
        {
            Description = "The file's format: containerlab, kypo or ludus",
            HelpName = "FORMAT",
            Required = true,
        };
        from.AcceptOnlyFromAmong("containerlab", "kypo", "ludus");
        var file = new Argument<string>("FILE") { Description = "The lab file (containerlab *.clab.yml, KYPO topology.yml, Ludus range-config.yml); - reads stdin" };
        var name = new Option<string?>("--name") { Description = "The room's name (default: the lab's, or the file's)", HelpName = "NAME" };
        var templates = new Option<string[]>("--template")
        {
            Description = "IMAGE=TEMPLATE: machines of this source image (or containerlab kind) get this template (repeatable)",
            HelpName = "IMAGE=TEMPLATE",
        };
        var defaultTemplate = new Option<string>("--default-template")
        {
            Description = "The template of a machine whose image no --template maps",
            HelpName = "TEMPLATE",
            DefaultValueFactory = _ => LabImportOptions.DefaultTemplateName,
        };
        var output = new Option<string?>("--output", "-o") { Description = "Write the room document here instead of standard output", HelpName = "FILE" };
        var command = new Command("import", "Turn a containerlab, KYPO or Ludus lab file into a room document (room.yaml), listing what it does not carry")
        {
            file, from, name, templates, defaultTemplate, output,
        };
        command.SetAction(runner.LocalAction(async (parseResult, _, cancellationToken) =>
        {
            var path = parseResult.GetRequiredValue(file);
            var format = Enum.Parse<LabFormat>(parseResult.GetRequiredValue(from), ignoreCase: true);
            var options = new LabImportOptions
            {
                Name = parseResult.GetValue(name),
                Templates = Mappings(parseResult.GetValue(templates) ?? []),
                DefaultTemplate = parseResult.GetRequiredValue(defaultTemplate),
                FileName = path == "-" ? null : path,
            };
            var text = await RoomFileReader.ReadTextAsync(path, runner.Context.In, cancellationToken);
            var result = LabImporter.Import(format, text, options);
            var error = runner.Context.Error;
            foreach (var note in result.NotMapped)
            {
                error.WriteLine($"{path}: {note}");
            }

            if (result.Room is null)
            {
                foreach (var problem in result.Errors)
                {
                    error.WriteLine($"skillvl: {path}: {(problem.Field.Length == 0 ? "" : problem.Field + ": ")}{problem.Message}");
                }

                return ExitCodes.InvalidInput;
            }

            var yaml = $"# Imported from {LabImporter.FormatName(format)} ({Path.GetFileName(path)}) by `skillvl room import`; {result.NotMapped.Count} note(s) on what it does not carry as it was (printed when it ran).\n"
                + RoomDocument.ToYaml(result.Room);
            if (parseResult.GetValue(output) is { } target)
            {
                await File.WriteAllTextAsync(target, yaml, cancellationToken);
                error.WriteLine($"room '{result.Room.Metadata.Name}' written to {target}: {result.Room.Machines.Count} machine(s), {result.Room.Networks.Count} network(s), {result.NotMapped.Count} element(s) not mapped");
            }
            else
            {
                runner.Context.Out.Write(yaml);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Dictionary<string, string> Mappings(string[] pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var at = pair.LastIndexOf('=');
            if (at <= 0 || at == pair.Length - 1)
            {
                throw new CliException($"--template '{pair}': expected IMAGE=TEMPLATE", ExitCodes.Usage);
            }

            result[pair[..at]] = pair[(at + 1)..];
        }

        return result;
    }
}
