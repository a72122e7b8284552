using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Api.Snapshots;

namespace SkillVL.Cli.Commands;

/// <summary>
/// <c>skillvl vm snapshot list|create|revert|delete ROOM/VM [NAME] [--ram]</c> and the same under <c>skillvl room
/// snapshot … ROOM</c> for every machine of a room (issue 18, ADR 0051). The server answers when the node is done.
/// </summary>
internal static class SnapshotCommands
{
    /// <summary>Writing or loading a guest's memory takes seconds per GiB; a disk-only revert boots the guest again.</summary>
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromMinutes(10);

    public static Command ForMachine(CommandRunner runner) => Create(runner, room: false);

    public static Command ForRoom(CommandRunner runner) => Create(runner, room: true);

    private static Command Create(CommandRunner runner, bool room)
    {
        var command = new Command("snapshot", room
            ? "Snapshots of every machine of a room: taken one after another under one name, reverted and deleted together"
            : "Snapshots of a machine: its disk, or with --ram its memory too so that running processes come back on revert");
        command.Subcommands.Add(List(runner, room));
        command.Subcommands.Add(Take(runner, room));
        command.Subcommands.Add(Revert(runner, room));
        command.Subcommands.Add(Delete(runner, room));
        return command;
    }

    private static Command List(CommandRunner runner, bool room)
    {
        var (target, resolve) = Target(room);
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", room ? "List the snapshots of every machine of a room" : "List a machine's snapshots, oldest first") { target, output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var (path, subject) = resolve(parseResult);
            var answer = await client.GetAsync(path, subject, cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var table = new TableView("MACHINE", "NAME", "RAM", "SIZE", "TAKEN", "BY");
            foreach (var s in ApiJson.Read<List<SnapshotInfo>>(answer))
            {
                table.Add(s.Machine, s.Name, s.WithRam ? "yes" : "no", DisplayFormat.Bytes(s.SizeBytes), DisplayFormat.Time(s.CreatedAt), s.CreatedBy);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Take(CommandRunner runner, bool room)
    {
        var (target, resolve) = Target(room);
        var name = Name();
        var ram = new Option<bool>("--ram") { Description = "Also the guest's memory, so that its running processes come back on revert (the machine must run)" };
        var command = new Command("create", room ? "Take a snapshot of every machine of a room (all or none)" : "Take a snapshot of a machine") { target, name, ram };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var (path, subject) = resolve(parseResult);
            var snapshot = parseResult.GetRequiredValue(name);
            await client.SendJsonAsync(HttpMethod.Post, path, new CreateSnapshotRequest(snapshot, parseResult.GetValue(ram)), subject, cancellationToken, timeout: SnapshotTimeout);
            runner.Context.Out.WriteLine($"Snapshot {snapshot} of {subject} taken.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revert(CommandRunner runner, bool room)
    {
        var (target, resolve) = Target(room);
        var name = Name();
        var command = new Command("revert", "Go back to a snapshot: with RAM the guest goes on from that moment; disk-only a running machine boots again from it")
        {
            target, name,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var (path, subject) = resolve(parseResult);
            var snapshot = parseResult.GetRequiredValue(name);
            await client.PostAsync($"{path}/{Uri.EscapeDataString(snapshot)}/revert", subject, SnapshotTimeout, cancellationToken);
            runner.Context.Out.WriteLine($"{subject} reverted to snapshot {snapshot}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(CommandRunner runner, bool room)
    {
        var (target, resolve) = Target(room);
        var name = Name();
        var command = new Command("delete", "Delete a snapshot") { target, name };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var (path, subject) = resolve(parseResult);
            var snapshot = parseResult.GetRequiredValue(name);
            await client.DeleteAsync($"{path}/{Uri.EscapeDataString(snapshot)}", subject, cancellationToken);
            runner.Context.Out.WriteLine($"Snapshot {snapshot} of {subject} deleted.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Argument<string> Name() => new("NAME") { Description = "The snapshot's name: lower-case letters, digits and inner hyphens, at most 32" };

    /// <summary>The ROOM/VM or ROOM argument and how a parse result becomes the snapshots' path and the subject of messages.</summary>
    private static (Argument Argument, Func<ParseResult, (string Path, string Subject)> Resolve) Target(bool room)
    {
        if (room)
        {
            var roomArgument = new Argument<string>("ROOM") { Description = RoomArgument.Description };
            return (roomArgument, parseResult =>
            {
                var name = parseResult.GetRequiredValue(roomArgument);
                return (ApiPaths.Room(name) + "/snapshots", $"room '{name}'");
            });
        }

        var machine = CommonOptions.Machine();
        return (machine, parseResult =>
        {
            var target = parseResult.GetRequiredValue(machine);
            return (ApiPaths.Machine(target.Room, target.Machine) + "/snapshots", target.Subject);
        });
    }
}
