using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl template list|delete</c>.</summary>
internal static class TemplateCommands
{
    /// <summary>Hex digits of a sha256 shown in the table; like git's short hashes, enough to tell images apart.</summary>
    private const int ShortHashLength = 12;

    public static Command Create(CommandRunner runner)
    {
        var template = new Command("template", "Base images machines are made from");
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var list = new Command("list", "List templates") { output };
        list.Aliases.Add("ls");
        list.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Templates, "templates", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("NAME", "BOOT", "CPUS", "MEMORY", "SIZE", "SHA256", "STATE");
            foreach (var t in ApiJson.Read<List<TemplateInfo>>(answer))
            {
                table.Add(
                    t.Name,
                    t.Boot,
                    DisplayFormat.Number(t.DefaultCpus),
                    DisplayFormat.Bytes(t.DefaultMemoryBytes),
                    DisplayFormat.Bytes(t.SizeBytes),
                    t.Sha256.Length > ShortHashLength ? t.Sha256[..ShortHashLength] : t.Sha256,
                    t.Unusable is null ? "ok" : "unusable: " + t.Unusable);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        template.Subcommands.Add(list);
        template.Subcommands.Add(Delete(runner));
        return template;
    }

    private static Command Delete(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The template's name" };
        var command = new Command("delete", "Delete a template and its stored disks (admin; refused while machines use it)") { name };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var template = parseResult.GetRequiredValue(name);
            // A 409 (machines use it) exits with ExitCodes.Conflict and the Server's message naming the rooms and users.
            await client.DeleteAsync(ApiPaths.Template(template), $"template '{template}'", cancellationToken);
            runner.Context.Out.WriteLine($"template {template} deleted");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
