using System.CommandLine;
using System.Globalization;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Identity;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl audit list</c> (admins).</summary>
internal static class AuditCommands
{
    public static Command Create(CommandRunner runner)
    {
        var audit = new Command("audit", "The audit log: every change, console and exec session (admins)");
        audit.Subcommands.Add(List(runner));
        return audit;
    }

    private static Command List(CommandRunner runner)
    {
        var user = new Option<string>("--user") { Description = "Only this user's entries", HelpName = "NAME" };
        var action = new Option<string>("--action") { Description = "Only entries whose action contains this text, e.g. exec", HelpName = "TEXT" };
        var since = new Option<string>("--since")
        {
            Description = "Only entries since this time: ISO 8601 (2026-11-25T08:00:00Z) or a duration back from now (1h, 30m)",
            HelpName = "TIME",
        };
        since.Validators.Add(result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (!SinceParser.TryParse(text, DateTimeOffset.UnixEpoch, out _))
            {
                result.AddError($"--since: '{text}' is not a time; {SinceParser.Expected}");
            }
        });
        var limit = new Option<int?>("--limit") { Description = "At most this many entries (newest first)", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--limit: must be at least 1");
            }
        });
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List audit entries, newest first") { user, action, since, limit, output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var now = runner.Context.TimeProvider.GetUtcNow();
            var query = new List<string>();
            AddQuery(query, "user", parseResult.GetValue(user));
            AddQuery(query, "action", parseResult.GetValue(action));
            if (parseResult.GetValue(since) is { } sinceText && SinceParser.TryParse(sinceText, now, out var from))
            {
                AddQuery(query, "since", SinceParser.Format(from));
            }

            if (parseResult.GetValue(limit) is { } count)
            {
                AddQuery(query, "limit", count.ToString(CultureInfo.InvariantCulture));
            }

            var path = query.Count == 0 ? ApiPaths.Audit : $"{ApiPaths.Audit}?{string.Join('&', query)}";
            var answer = await client.GetAsync(path, "audit log", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("TIME", "USER", "ACTION", "TARGET", "OUTCOME", "FROM", "DETAIL");
            foreach (var entry in ApiJson.Read<List<AuditEntry>>(answer))
            {
                table.Add(
                    DisplayFormat.Time(entry.At),
                    DisplayFormat.OrNone(entry.Username ?? entry.UserId),
                    entry.Action,
                    DisplayFormat.OrNone(entry.Target),
                    entry.Outcome,
                    DisplayFormat.OrNone(entry.RemoteAddress),
                    DisplayFormat.OrNone(entry.Detail));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void AddQuery(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value.Trim())}");
        }
    }
}
