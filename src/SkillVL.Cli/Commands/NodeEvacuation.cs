using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Placements;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl node drain NODE --evacuate</c>'s second half (ADR 0030): one line per machine — its migration, or
/// why it stays; a machine that stays makes the exit code non-zero (7, conflict), so a script sees the node is not empty.</summary>
internal static class NodeEvacuation
{
    public static async Task<int> RunAsync(CommandRunner runner, SkillVlClient client, string node, CancellationToken cancellationToken)
    {
        var answer = await client.PostAsync($"{ApiPaths.Nodes}/{Uri.EscapeDataString(node)}/evacuate", $"node '{node}'", cancellationToken);
        var entries = ApiJson.Read<List<EvacuationEntry>>(answer);
        var table = new TableView("MACHINE", "TO", "MIGRATION", "STAYS BECAUSE");
        foreach (var entry in entries)
        {
            table.Add(entry.Machine, DisplayFormat.OrNone(entry.MigrationId is null ? null : entry.To), DisplayFormat.OrNone(entry.MigrationId), DisplayFormat.OrNone(entry.Refused));
        }

        var printer = new Printer(runner.Context);
        if (entries.Count == 0)
        {
            printer.Line($"no running machine on {node}");
            return ExitCodes.Ok;
        }

        printer.Table(table);
        var stays = entries.Where(e => e.MigrationId is null).ToList();
        printer.Line(stays.Count == 0
            ? $"{entries.Count} machine(s) moving off {node}; follow them with skillvl migration show ID"
            : $"{stays.Count} of {entries.Count} machine(s) stay on {node}: {string.Join(", ", stays.Select(e => e.Machine))}");
        return stays.Count == 0 ? ExitCodes.Ok : ExitCodes.Conflict;
    }
}
