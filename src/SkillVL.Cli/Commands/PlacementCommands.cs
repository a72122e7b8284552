using System.CommandLine;
using System.Globalization;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Placements;
using SkillVL.Core.Placement.Control;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl placement policy …</c> and <c>skillvl placement decisions</c> (issue 14, ADR 0030).</summary>
internal static class PlacementCommands
{
    public static Command Create(CommandRunner runner)
    {
        var placement = new Command("placement", "Where machines run: placement policies (off | suggest | auto) and the controller's decisions");
        var policy = new Command("policy", "Placement policies per scope: global, course NAME, user NAME, room ID");
        policy.Subcommands.Add(List(runner));
        policy.Subcommands.Add(Show(runner));
        policy.Subcommands.Add(Set(runner));
        policy.Subcommands.Add(Delete(runner));
        placement.Subcommands.Add(policy);
        placement.Subcommands.Add(Decisions(runner));
        placement.Subcommands.Add(Evaluate(runner));
        return placement;
    }

    private static Argument<string> ScopeArgument() => new("scope") { Description = "global, course, user or room" };

    private static Argument<string?> TargetArgument() =>
        new("target") { Description = "The course, user or room (id or name); none for global", Arity = ArgumentArity.ZeroOrOne };

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List the placement policies you may read") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.PlacementPolicies, "placement policies", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("SCOPE", "NAME", "MODE", "HYSTERESIS", "MIN-STAY", "PER-NODE", "PER-LINK", "WINDOWS", "BY");
            foreach (var p in ApiJson.Read<List<PlacementPolicyInfo>>(answer))
            {
                table.Add(p.Scope, DisplayFormat.OrNone(p.ScopeName), DisplayFormat.OrNone(p.Mode), Number(p.HysteresisEvaluations),
                    p.MinStaySeconds is { } s ? $"{s} s" : DisplayFormat.None, Number(p.MaxMovesPerNode), Number(p.MaxMovesPerLink),
                    Windows(p.Windows), p.UpdatedBy);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var scope = ScopeArgument();
        var target = TargetArgument();
        var command = new Command("show", "Show the policy set at a scope (JSON)") { scope, target };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.PlacementPolicy(parseResult.GetValue(scope)!, parseResult.GetValue(target)), "placement policy", cancellationToken);
            new Printer(runner.Context).Json(answer);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Set(CommandRunner runner)
    {
        var scope = ScopeArgument();
        var target = TargetArgument();
        var mode = new Option<string>("--mode") { Description = "off, suggest or auto", HelpName = "MODE" };
        mode.AcceptOnlyFromAmong(PlacementModes.Off, PlacementModes.Suggest, PlacementModes.Auto);
        var hysteresis = new Option<int?>("--hysteresis") { Description = "Evaluations in a row a recommendation must persist (1–120)", HelpName = "N" };
        var minStay = new Option<int?>("--min-stay") { Description = "Seconds a machine stays on a node after a move", HelpName = "SECONDS" };
        var perNode = new Option<int?>("--max-moves-per-node") { Description = "Automatic moves at once per node (global only)", HelpName = "N" };
        var perLink = new Option<int?>("--max-moves-per-link") { Description = "Automatic moves at once per pair of nodes (global only)", HelpName = "N" };
        var windows = new Option<string[]>("--window")
        {
            Description = "A time when nothing moves, FROM/TO in UTC ISO 8601, e.g. 2026-12-07T09:00:00Z/2026-12-07T11:00:00Z (repeatable)",
            HelpName = "FROM/TO",
            AllowMultipleArgumentsPerToken = false,
        };
        windows.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (ParseWindow(token.Value) is null)
                {
                    result.AddError($"--window: '{token.Value}' is not FROM/TO, two UTC times such as 2026-12-07T09:00:00Z/2026-12-07T11:00:00Z");
                }
            }
        });
        var command = new Command("set", "Set the policy at a scope; what you leave out is decided by the less specific scopes")
        {
            scope, target, mode, hysteresis, minStay, perNode, perLink, windows,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var given = parseResult.GetValue(windows);
            var request = new PlacementPolicyRequest(
                parseResult.GetValue(mode), parseResult.GetValue(hysteresis), parseResult.GetValue(minStay), parseResult.GetValue(perNode),
                parseResult.GetValue(perLink), given is { Length: > 0 } ? given.Select(w => ParseWindow(w)!).ToList() : null);
            var answer = await client.SendJsonAsync(
                HttpMethod.Put, ApiPaths.PlacementPolicy(parseResult.GetValue(scope)!, parseResult.GetValue(target)), request, "placement policy", cancellationToken);
            var set = ApiJson.Read<PlacementPolicyInfo>(answer);
            new Printer(runner.Context).Line($"Placement policy of {set.Scope} {set.ScopeName ?? ""}: mode {set.Mode ?? "(inherited)"}".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var scope = ScopeArgument();
        var target = TargetArgument();
        var command = new Command("delete", "Remove the policy at a scope") { scope, target };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            await client.DeleteAsync(ApiPaths.PlacementPolicy(parseResult.GetValue(scope)!, parseResult.GetValue(target)), "placement policy", cancellationToken);
            new Printer(runner.Context).Line("Placement policy removed.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Decisions(CommandRunner runner)
    {
        var limit = new Option<int?>("--limit") { Description = "At most this many decisions (newest first)", HelpName = "N" };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is <= 0)
            {
                result.AddError("--limit: must be at least 1");
            }
        });
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("decisions", "The placement controller's decisions: acted, suggested, held back and why (admins)") { limit, output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var path = parseResult.GetValue(limit) is { } n ? $"{ApiPaths.PlacementDecisions}?limit={n.ToString(CultureInfo.InvariantCulture)}" : ApiPaths.PlacementDecisions;
            return Print(runner, parseResult.GetValue(output), await client.GetAsync(path, "placement decisions", cancellationToken));
        }));
        return command;
    }

    private static Command Evaluate(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("evaluate", "Run the placement controller once now and act on it; its decisions (admins)") { output };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
            Print(runner, parseResult.GetValue(output), await client.PostAsync(ApiPaths.PlacementEvaluate, "placement evaluation", cancellationToken))));
        return command;
    }

    private static int Print(CommandRunner runner, OutputFormat format, System.Text.Json.JsonElement answer)
    {
        var printer = new Printer(runner.Context);
        if (format == OutputFormat.Json)
        {
            printer.Json(answer);
            return ExitCodes.Ok;
        }

        var table = new TableView("TIME", "MACHINE", "FROM", "TO", "OUTCOME", "CODE", "MIGRATION", "REASON");
        foreach (var d in ApiJson.Read<List<PlacementDecision>>(answer))
        {
            table.Add(DisplayFormat.Time(d.At), d.Machine, d.From, d.To, d.Outcome, d.Code, DisplayFormat.OrNone(d.MigrationId), d.Reason);
        }

        printer.Table(table);
        return ExitCodes.Ok;
    }

    private static QuietWindowInfo? ParseWindow(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var from)
            && DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var to)
            ? new QuietWindowInfo(from, to)
            : null;
    }

    private static string Number(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : DisplayFormat.None;

    private static string Windows(IReadOnlyList<QuietWindowInfo> windows) =>
        windows.Count == 0 ? DisplayFormat.None : string.Join(", ", windows.Select(w => $"{DisplayFormat.Time(w.From!.Value)}–{DisplayFormat.Time(w.To!.Value)}"));
}
