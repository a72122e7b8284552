using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Checkouts;
using SkillVL.Core.Api.Migrations;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl vm checkout ROOM/VM --to NODE</c>, <c>vm checkin ROOM/VM</c>, <c>vm sync ROOM/VM</c> (ADR 0023), and
/// <c>vm get ROOM/VM</c> / <c>vm list ROOM</c>, which show where a machine is checked out. Check-out and check-in are
/// migrations: they follow them to their end by default (as a person at a terminal expects of "check out"), with
/// <c>--no-wait</c> to only start them.
/// </summary>
internal static class VmCheckoutCommands
{
    /// <summary>How long <c>vm sync</c> waits for the server's answer: a sync of a large change over a slow uplink takes long.</summary>
    public static readonly TimeSpan SyncTimeout = TimeSpan.FromHours(1);

    public static Command Checkout(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var to = new Option<string>("--to") { Description = "The client node to check the machine out to: its owner's own machine (skillvl node list)", Required = true, HelpName = "NODE" };
        var (noWait, timeout, output) = FollowOptions();
        var command = new Command("checkout", "Check a running machine out to its owner's client node: it moves there live, the server keeps a copy of its disk that a background sync keeps up to date")
        {
            machine, to, noWait, timeout, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var answer = await client.SendJsonAsync(HttpMethod.Post, $"{ApiPaths.Machine(target.Room, target.Machine)}/checkout",
                new CheckoutRequest(parseResult.GetRequiredValue(to)), target.Subject, cancellationToken);
            return await FollowAsync(runner, client, parseResult, target, answer, "check-out", noWait, timeout, output, cancellationToken);
        }));
        return command;
    }

    public static Command Checkin(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var (noWait, timeout, output) = FollowOptions();
        var command = new Command("checkin", "Check a machine in: it moves back live onto the server's copy, sending only the blocks changed since the last sync plus its RAM")
        {
            machine, noWait, timeout, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            // The server first waits for a sync in flight, so this may take longer than an ordinary request.
            var answer = await client.PostAsync($"{ApiPaths.Machine(target.Room, target.Machine)}/checkin", target.Subject, TimeSpan.FromMinutes(11), cancellationToken);
            return await FollowAsync(runner, client, parseResult, target, answer, "check-in", noWait, timeout, output, cancellationToken);
        }));
        return command;
    }

    public static Command Sync(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("sync", "Sync a checked-out machine now: its client copies what was written since the last sync into the server's copy; waits until it ended")
        {
            machine, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var answer = await client.PostAsync($"{ApiPaths.Machine(target.Room, target.Machine)}/sync", target.Subject, SyncTimeout, cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var sync = ApiJson.Read<CheckoutSyncInfo>(answer);
            printer.Line($"{target}: synced {DisplayFormat.Bytes(sync.BytesCopied)} from {sync.Checkout.Node} into the copy on {sync.Checkout.RetainedOn} " +
                $"in {sync.ElapsedMs / 1000:0.#} s ({DisplayFormat.Bytes(sync.TunnelBytes)} on the link{(sync.FullCopy ? "; a full copy: the client had lost track of its writes" : "")}); " +
                $"unsynced now: {Unsynced(sync.Checkout)}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Get(CommandRunner runner)
    {
        var machine = CommonOptions.Machine();
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("get", "Show a machine: its state, node, addresses, and where it is checked out") { machine, output };
        command.Aliases.Add("show");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var target = parseResult.GetRequiredValue(machine);
            var answer = await client.GetAsync(ApiPaths.Machine(target.Room, target.Machine), target.Subject, cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var m = ApiJson.Read<MachineStatus>(answer);
            var now = runner.Context.TimeProvider.GetUtcNow();
            printer.Fields(
                ("Machine:", $"{target.Room}/{m.Name}"),
                ("Id:", m.Id),
                ("State:", m.State),
                ("Desired:", m.DesiredState),
                ("Node:", DisplayFormat.OrNone(m.Node)),
                ("Addresses:", m.Nics.Count == 0 ? DisplayFormat.None : string.Join(", ", m.Nics.Select(n => $"{n.Network}={n.Ip ?? "-"}"))),
                ("Checked out:", m.Checkout is { } c ? $"to {c.Node} since {DisplayFormat.Time(c.Since)} ({DisplayFormat.Age(c.Since, now)} ago)" : "no"),
                ("Retained on:", m.Checkout?.RetainedOn ?? DisplayFormat.None),
                ("Last sync:", m.Checkout?.LastSyncAt is { } at ? $"{DisplayFormat.Time(at)} ({DisplayFormat.Age(at, now)} ago)" : m.Checkout is null ? DisplayFormat.None : "never"),
                ("Unsynced:", m.Checkout is { } u ? Unsynced(u) : DisplayFormat.None),
                ("Synced:", m.Checkout is { } s ? DisplayFormat.Bytes(s.SyncedBytes) : DisplayFormat.None),
                ("Lease:", Lease(m.Checkout, now)),
                ("Fenced copies:", m.FencedCopies is { Count: > 0 } f ? string.Join("; ", f.Select(Fenced)) : DisplayFormat.None),
                ("Error:", DisplayFormat.OrNone(m.LastError)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command List(CommandRunner runner)
    {
        var room = new Argument<string>("ROOM") { Description = RoomArgument.Description };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List a room's machines with their node and where they are checked out") { room, output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var roomName = parseResult.GetRequiredValue(room);
            var answer = await client.GetAsync(ApiPaths.Room(roomName), $"room '{roomName}'", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer.GetProperty("machines"));
                return ExitCodes.Ok;
            }

            var details = ApiJson.Read<RoomDetails>(answer);
            var now = runner.Context.TimeProvider.GetUtcNow();
            var table = new TableView("MACHINE", "STATE", "NODE", "CHECKED OUT", "RETAINED ON", "LAST SYNC", "UNSYNCED");
            foreach (var m in details.Machines)
            {
                table.Add(
                    m.Name,
                    m.State,
                    DisplayFormat.OrNone(m.Node),
                    m.Checkout is { } c ? $"{c.Node} ({DisplayFormat.Age(c.Since, now)})" : DisplayFormat.None,
                    m.Checkout?.RetainedOn ?? DisplayFormat.None,
                    m.Checkout?.LastSyncAt is { } at ? DisplayFormat.Age(at, now) + " ago" : m.Checkout is null ? DisplayFormat.None : "never",
                    m.Checkout is { } u ? Unsynced(u) : DisplayFormat.None);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The lease as <c>vm get</c> shows it (ADR 0025).</summary>
    private static string Lease(CheckoutInfo? checkout, DateTimeOffset now) => checkout switch
    {
        null => DisplayFormat.None,
        { LeaseExpiresAt: null } => $"not renewed yet (epoch {checkout.Epoch})",
        { LeaseExpiresAt: { } end } when end <= now => $"EXPIRED at {DisplayFormat.Time(end)} ({DisplayFormat.Age(end, now)} ago; epoch {checkout.Epoch}): skillvl vm revive",
        { LeaseExpiresAt: { } end } => $"until {DisplayFormat.Time(end)} (epoch {checkout.Epoch})",
    };

    private static string Fenced(FencedCopyInfo copy) =>
        $"{copy.Node} epoch {copy.Epoch} " + (copy.FencedAt is { } at
            ? $"set aside {DisplayFormat.Time(at)} at {copy.Path} ({(copy.BytesSinceSync is { } b ? DisplayFormat.Bytes(b) : "unknown")} after its last sync)"
            : "waiting for the client to return");

    private static string Unsynced(CheckoutInfo checkout) => checkout.UnsyncedBytes is { } bytes ? DisplayFormat.Bytes(bytes) : "unknown";

    private static (Option<bool> NoWait, Option<TimeSpan?> Timeout, Option<OutputFormat> Output) FollowOptions() =>
        (CommonOptions.NoWait(),
         CommonOptions.Duration($"How long to follow the move; default {DurationParser.Format(MigrationFollower.DefaultTimeout)}", MigrationFollower.DefaultTimeout),
         CommonOptions.Output(OutputFormat.Table, OutputFormat.Json));

    private static async Task<int> FollowAsync(
        CommandRunner runner, SkillVlClient client, ParseResult parseResult, MachineRef target, System.Text.Json.JsonElement answer, string what,
        Option<bool> noWait, Option<TimeSpan?> timeout, Option<OutputFormat> output, CancellationToken cancellationToken)
    {
        var accepted = ApiJson.Read<MigrationInfo>(answer);
        var json = parseResult.GetValue(output) == OutputFormat.Json;
        if (parseResult.GetValue(noWait))
        {
            if (json)
            {
                new Printer(runner.Context).Json(answer);
            }
            else
            {
                runner.Context.Out.WriteLine(accepted.Id);
                runner.Context.Error.WriteLine($"{what} of {target} from {accepted.From} to {accepted.To}: migration {accepted.Id} {accepted.State}; follow it with: skillvl migration show {accepted.Id}");
            }

            return ExitCodes.Ok;
        }

        var final = await new MigrationFollower(runner.Context, client).FollowAsync(accepted, parseResult.GetValue(timeout) ?? MigrationFollower.DefaultTimeout, cancellationToken);
        // A check-out that succeeded with a note moved the machine but kept no server copy (ADR 0023): a plain move.
        var notCheckedOut = final is { State: MigrationStates.Succeeded, Error: not null } && what == "check-out";
        if (json)
        {
            new Printer(runner.Context).Json(await client.GetAsync(ApiPaths.Migration(final.Id), $"migration '{final.Id}'", cancellationToken));
        }
        else if (final.State == MigrationStates.Succeeded && !notCheckedOut)
        {
            runner.Context.Out.WriteLine(what == "check-out"
                ? $"{target} is checked out to {final.To}; the server keeps its copy on {final.From} (skillvl vm get {target})"
                : $"{target} is checked in: it runs on {final.To} again");
        }

        if (final.State == MigrationStates.Succeeded && !notCheckedOut)
        {
            return ExitCodes.Ok;
        }

        runner.Context.Error.WriteLine(notCheckedOut
            ? $"skillvl: {target} moved to {final.To} but is not checked out (migration {final.Id}): {final.Error}"
            : $"skillvl: {what} of {target} {final.State} (migration {final.Id}): {final.Error}; the machine runs on {final.From}");
        return ExitCodes.TaskFailed;
    }
}
