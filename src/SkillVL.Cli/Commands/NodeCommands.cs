using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl node list</c>.</summary>
internal static class NodeCommands
{
    public static Command Create(CommandRunner runner)
    {
        var node = new Command("node", "Hosts that run machines");
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var list = new Command("list", "List nodes and what is placed on them") { output };
        list.Aliases.Add("ls");
        list.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Nodes, "nodes", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("NAME", "KIND", "STATE", "ACCEL", "MACHINES", "CPUS (ALLOC/TOTAL)", "MEMORY (ALLOC/TOTAL)");
            foreach (var n in ApiJson.Read<List<NodeInfo>>(answer))
            {
                table.Add(
                    n.Name,
                    n.Kind,
                    n.State,
                    n.Accelerator,
                    DisplayFormat.Number(n.MachinesRunning),
                    $"{n.CpusAllocated}/{n.Cpus}",
                    $"{DisplayFormat.Bytes(n.MemoryBytesAllocated)}/{DisplayFormat.Bytes(n.MemoryBytes)}");
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        node.Subcommands.Add(list);
        return node;
    }
}
