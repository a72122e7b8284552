using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl vm migrate</c> and <c>skillvl migration list|show|cancel</c>.</summary>
internal static class MigrationCommands
{
    public static Command Create(CommandRunner runner)
    {
        var migration = new Command("migration", "Moves of machines between nodes (start one with: skillvl vm migrate ROOM/VM --to NODE)");
        migration.Subcommands.Add(List(runner));
        migration.Subcommands.Add(Show(runner));
        migration.Subcommands.Add(Cancel(runner));
        return migration;
    }

    /// <summary><c>skillvl vm migrate ROOM/VM --to NODE</c>.</summary>
    public static Command Migrate(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var to = new Option<string>("--to") { Description = "The node to move the machine to (skillvl node list)", Required = true, HelpName = "NODE" };
        var maxBandwidth = new Option<string?>("--max-bandwidth") { Description = "Most of the link the migration may take, e.g. 50Mbit or 100MiB/s; default: no cap", HelpName = "RATE" };
        var downtimeLimit = new Option<string?>("--downtime-limit") { Description = "The pause the guest should see at switch-over, e.g. 300ms (QEMU's default)", HelpName = "DURATION" };
        var maxDowntime = new Option<string?>("--max-downtime") { Description = "The longest pause accepted if it does not converge otherwise, e.g. 2s; default: never raise the limit", HelpName = "DURATION" };
        var maxTotalTime = new Option<string?>("--max-total-time") { Description = "Give up (the machine stays) when not switched over after this, e.g. 10m", HelpName = "DURATION" };
        var mode = new Option<string>("--mode") { Description = "live (the machine keeps running while it moves) or offline", DefaultValueFactory = _ => "live", HelpName = "live|offline" };
        mode.AcceptOnlyFromAmong("live", "offline");
        var postCopy = new Option<bool>("--allow-post-copy") { Description = "Let the policy switch to post-copy if pre-copy does not converge (a failure then loses the VM)" };
        var disk = new Option<string?>("--disk-transfer") { Description = "overlay (default: the VM's own changes; the target gets the template) or full", HelpName = "overlay|full" };
        disk.AcceptOnlyFromAmong("overlay", "full");
        var tuning = new Option<string?>("--tuning") { Description = "policy (default) or qemu-defaults (the baseline: QEMU's defaults)", HelpName = "policy|qemu-defaults" };
        tuning.AcceptOnlyFromAmong("policy", "qemu-defaults");
        var wait = new Option<bool>("--wait") { Description = "Follow the migration to its end with its progress (on stderr); exit 0 if it succeeded, 6 if not" };
        var timeout = CommonOptions.Duration($"How long --wait follows it; default {DurationParser.Format(MigrationFollower.DefaultTimeout)}", MigrationFollower.DefaultTimeout);
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("migrate", "Move a running machine to another node: its disk, RAM and networks follow, it keeps its MAC and IP addresses")
        {
            machine, to, maxBandwidth, downtimeLimit, maxDowntime, maxTotalTime, mode, postCopy, disk, tuning, wait, timeout, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var request = new CreateMigrationRequest(
                target.ToString(),
                parseResult.GetRequiredValue(to),
                parseResult.GetValue(mode),
                parseResult.GetValue(maxBandwidth),
                parseResult.GetValue(downtimeLimit),
                parseResult.GetValue(maxDowntime),
                parseResult.GetValue(maxTotalTime),
                parseResult.GetValue(postCopy) ? true : null,
                parseResult.GetValue(disk),
                parseResult.GetValue(tuning));
            var answer = await client.SendJsonAsync(HttpMethod.Post, ApiPaths.Migrations, request, target.Subject, cancellationToken);
            var accepted = ApiJson.Read<MigrationInfo>(answer);
            var json = parseResult.GetValue(output) == OutputFormat.Json;
            if (!parseResult.GetValue(wait))
            {
                if (json)
                {
                    new Printer(runner.Context).Json(answer);
                }
                else
                {
                    runner.Context.Out.WriteLine(accepted.Id);
                    runner.Context.Error.WriteLine($"migration {accepted.Id} of {target} from {accepted.From} to {accepted.To} {accepted.State}; follow it with: skillvl migration show {accepted.Id}");
                }

                return ExitCodes.Ok;
            }

            var final = await new MigrationFollower(runner.Context, client).FollowAsync(accepted, parseResult.GetValue(timeout) ?? MigrationFollower.DefaultTimeout, cancellationToken);
            if (json)
            {
                new Printer(runner.Context).Json(await client.GetAsync(ApiPaths.Migration(final.Id), $"migration '{final.Id}'", cancellationToken));
            }
            else
            {
                Print(new Printer(runner.Context), final);
            }

            if (final.State == MigrationStates.Succeeded)
            {
                return ExitCodes.Ok;
            }

            runner.Context.Error.WriteLine($"skillvl: migration {final.Id} of {target} {final.State}: {final.Error}");
            return ExitCodes.TaskFailed;
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var machine = new Option<string?>("--machine") { Description = "Only this machine's migrations (ROOM/VM, OWNER/ROOM/VM or its id)", HelpName = "ROOM/VM" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List migrations, newest first") { machine, output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var filter = parseResult.GetValue(machine);
            var path = filter is null ? ApiPaths.Migrations : $"{ApiPaths.Migrations}?machine={Uri.EscapeDataString(filter)}";
            var answer = await client.GetAsync(path, "migrations", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("ID", "MACHINE", "FROM", "TO", "PURPOSE", "STATE", "PHASE", "TIME", "DOWNTIME", "AGE");
            foreach (var m in ApiJson.Read<List<MigrationInfo>>(answer))
            {
                table.Add(
                    m.Id,
                    $"{m.Machine.Room}/{m.Machine.Name}",
                    m.From,
                    m.To,
                    Purpose(m.Purpose),
                    m.State,
                    m.Phase,
                    Milliseconds(m.Metrics.TotalTimeMs),
                    Milliseconds(m.Metrics.DowntimeMs),
                    DisplayFormat.Age(m.CreatedAt, now));
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The migration's id (skillvl migration list)" };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("show", "Show a migration: phase, progress, parameters and why, metrics, log") { id, output };
        command.Aliases.Add("get");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var migrationId = parseResult.GetRequiredValue(id);
            var answer = await client.GetAsync(ApiPaths.Migration(migrationId), $"migration '{migrationId}'", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            Print(printer, ApiJson.Read<MigrationInfo>(answer));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Cancel(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "The migration's id" };
        var command = new Command("cancel", "Cancel a migration before its switch-over: the machine keeps running where it was") { id };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var migrationId = parseResult.GetRequiredValue(id);
            await client.PostAsync($"{ApiPaths.Migration(migrationId)}/cancel", $"migration '{migrationId}'", cancellationToken);
            runner.Context.Out.WriteLine($"migration {migrationId}: cancel requested; the machine stays on its node (skillvl migration show {migrationId})");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static void Print(Printer printer, MigrationInfo m)
    {
        printer.Fields(
            ("Id:", m.Id),
            ("Machine:", $"{m.Machine.Room}/{m.Machine.Name}"),
            ("From:", m.From),
            ("To:", m.To),
            ("Mode:", m.Mode),
            ("Purpose:", Purpose(m.Purpose)),
            ("State:", m.State),
            ("Phase:", m.Phase),
            ("Progress:", MigrationFollower.Progress(m.Progress)),
            ("Link:", m.Link is { } l ? $"{MigrationFollower.Rate(l.BandwidthBitsPerSecond)}, RTT {l.RttMs.ToString("0.#", CultureInfo.InvariantCulture)} ms ({l.Source})" : DisplayFormat.None),
            ("Total time:", Milliseconds(m.Metrics.TotalTimeMs)),
            ("Downtime:", Milliseconds(m.Metrics.DowntimeMs)),
            ("Probe downtime:", Milliseconds(m.Metrics.ProbeDowntimeMs)),
            ("RAM bytes:", Bytes(m.Metrics.RamBytes)),
            ("Disk bytes:", Bytes(m.Metrics.DiskBytes)),
            ("Base bytes:", Bytes(m.Metrics.BaseBytes)),
            ("Throughput:", MigrationFollower.Rate(m.Metrics.AverageThroughputBitsPerSecond)),
            (m.State == MigrationStates.Succeeded && m.Error is not null ? "Note:" : "Error:", DisplayFormat.OrNone(m.Error)),
            ("Requested by:", DisplayFormat.OrNone(m.RequestedBy)),
            ("Created:", DisplayFormat.Time(m.CreatedAt)),
            ("Finished:", m.FinishedAt is { } finished ? DisplayFormat.Time(finished) : DisplayFormat.None));
        if (m.Parameters is { ValueKind: JsonValueKind.Object } parameters && parameters.TryGetProperty("reasons", out var reasons))
        {
            printer.Line("Parameters:");
            foreach (var reason in reasons.EnumerateArray())
            {
                printer.Line($"  {reason.GetProperty("parameter").GetString()}: {reason.GetProperty("reason").GetString()}");
            }
        }

        if (m.Log is { Count: > 0 } log)
        {
            printer.Line("Log:");
            foreach (var line in log)
            {
                printer.Line($"  {DisplayFormat.LogTime(line.Timestamp)} {line.Message}");
            }
        }
    }

    /// <summary>A plain move has no purpose on the wire; "move" says so instead of a blank.</summary>
    private static string Purpose(string? purpose) => purpose ?? "move";

    private static string Milliseconds(double? ms) => ms is { } value ? value.ToString("0.#", CultureInfo.InvariantCulture) + " ms" : DisplayFormat.None;

    private static string Bytes(long? bytes) => bytes is { } value ? DisplayFormat.Bytes(value) : DisplayFormat.None;
}
