using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;
using SkillVL.Core.Api.Placements;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl node drain NODE --evacuate</c>'s second half (ADR 0030): one line per machine — its migration, or
/// why it stays; a machine that stays makes the exit code non-zero (7, conflict), so a script sees the node is not empty.
/// With <c>--wait</c> it then follows every move to its end (one after the other; they run at once on the Server) and
/// exits 6 (task failed) naming each move that did not succeed — the node is not empty then either.</summary>
internal static class NodeEvacuation
{
    public static async Task<int> RunAsync(
        CommandRunner runner, SkillVlClient client, string node, TimeSpan? wait, CancellationToken cancellationToken)
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
        var moving = entries.Where(e => e.MigrationId is not null).ToList();
        if (wait is null || moving.Count == 0)
        {
            printer.Line(stays.Count == 0
                ? $"{entries.Count} machine(s) moving off {node}; follow them with skillvl migration show ID"
                : $"{stays.Count} of {entries.Count} machine(s) stay on {node}: {string.Join(", ", stays.Select(e => e.Machine))}");
            return stays.Count == 0 ? ExitCodes.Ok : ExitCodes.Conflict;
        }

        var follower = new MigrationFollower(runner.Context, client);
        var failed = new List<string>();

        // --timeout bounds the whole wait, not each move: the moves run at once, they are only followed one after another.
        var deadline = DateTimeOffset.UtcNow + wait.Value;
        foreach (var entry in moving)
        {
            MigrationInfo final;
            try
            {
                var started = ApiJson.Read<MigrationInfo>(await client.GetAsync(ApiPaths.Migration(entry.MigrationId!), $"migration '{entry.MigrationId}'", cancellationToken));
                var left = deadline - DateTimeOffset.UtcNow;
                final = await follower.FollowAsync(started, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (CliException e)
            {
                // One move not followed to its end (timed out, unreadable) still leaves the others to follow and the summary to print.
                printer.Line($"{entry.Machine}: not followed to its end ({e.Message}); skillvl migration show {entry.MigrationId}");
                failed.Add($"{entry.Machine} (not followed to its end: {e.Message})");
                continue;
            }

            printer.Line($"{entry.Machine} → {final.To}: {final.State}{(final.Error is { Length: > 0 } error ? $" ({error})" : "")}");
            if (final.State != MigrationStates.Succeeded)
            {
                failed.Add($"{entry.Machine} ({final.State}{(final.Error is { Length: > 0 } why ? ": " + why : "")})");
            }
        }

        if (stays.Count > 0)
        {
            runner.Context.Error.WriteLine($"skillvl: {stays.Count} of {entries.Count} machine(s) stay on {node}: {string.Join(", ", stays.Select(e => e.Machine))}");
        }

        if (failed.Count > 0)
        {
            runner.Context.Error.WriteLine($"skillvl: {failed.Count} of {moving.Count} move(s) off {node} did not succeed: {string.Join("; ", failed)}");
            return ExitCodes.TaskFailed;
        }

        printer.Line(stays.Count == 0 ? $"{node} is empty: {moving.Count} machine(s) moved off it" : $"{moving.Count} machine(s) moved off {node}");
        return stays.Count == 0 ? ExitCodes.Ok : ExitCodes.Conflict;
    }
}
