using System.CommandLine;
using System.Text.Json;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Rooms;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl room apply|list|get|delete|start|stop|reset|upgrade|check|import|export</c>.</summary>
internal static class RoomCommands
{
    public static Command Create(CommandRunner runner)
    {
        var room = new Command("room", "Rooms: a set of machines and the networks that join them");
        room.Subcommands.Add(Apply(runner));
        room.Subcommands.Add(List(runner));
        room.Subcommands.Add(Get(runner));
        room.Subcommands.Add(Delete(runner));
        room.Subcommands.Add(PowerAction(runner, "start", "Start every machine of a room and follow the task"));
        room.Subcommands.Add(PowerAction(runner, "stop", "Stop every machine of a room and follow the task"));
        room.Subcommands.Add(RoomTask(
            runner,
            "reset",
            "Put a course instance back to its published version's baseline (fresh disks: work in its machines is lost) and follow the task"));
        room.Subcommands.Add(RoomTask(
            runner,
            "upgrade",
            "Move a course instance to the course's latest published version and follow the task"));
        room.Subcommands.Add(RoomCheckCommand.Create(runner));
        room.Subcommands.Add(RoomImportCommand.Create(runner));
        room.Subcommands.Add(RoomExportCommand.Create(runner));
        room.Subcommands.Add(SnapshotCommands.ForRoom(runner));
        return room;
    }

    private static Command Apply(CommandRunner runner)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "The room document (room.yaml, or .json); - reads stdin",
            HelpName = "FILE",
            Required = true,
        };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command(
            "apply",
            "Create the room, or update it to match the document, and follow the task until it ends")
        {
            file, noWait, timeout,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var document = await RoomFileReader.ReadAsync(parseResult.GetRequiredValue(file), runner.Context.In, cancellationToken);
            var task = await client.ApplyRoomAsync(document, cancellationToken);
            return await TaskCommands.AcceptedAsync(
                runner.Context, client, task, parseResult.GetValue(noWait), parseResult.GetValue(timeout), cancellationToken);
        }));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json);
        var command = new Command("list", "List rooms") { output };
        command.Aliases.Add("ls");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var answer = await client.GetAsync(ApiPaths.Rooms, "rooms", cancellationToken);
            var printer = new Printer(runner.Context);
            if (parseResult.GetValue(output) == OutputFormat.Json)
            {
                printer.Json(answer);
                return ExitCodes.Ok;
            }

            var rooms = ApiJson.Read<List<RoomSummary>>(answer);
            if (rooms.Count == 0)
            {
                runner.Context.Error.WriteLine("no rooms; create one with: skillvl room apply -f room.yaml");
                return ExitCodes.Ok;
            }

            // OWNER and COURSE only when the server says (an older server does not; a student's own rooms all are theirs).
            var now = runner.Context.TimeProvider.GetUtcNow();
            var showOwner = rooms.Any(r => r.Owner is not null);
            var showCourse = rooms.Any(r => r.Course is not null);
            var headers = new List<string> { "NAME" };
            if (showOwner)
            {
                headers.Add("OWNER");
            }

            if (showCourse)
            {
                headers.Add("COURSE");
            }

            headers.AddRange(["PHASE", "MACHINES", "GENERATION", "AGE"]);
            var table = new TableView([.. headers]);
            foreach (var room in rooms)
            {
                var cells = new List<string> { room.Name };
                if (showOwner)
                {
                    cells.Add(DisplayFormat.OrNone(room.Owner));
                }

                if (showCourse)
                {
                    cells.Add(room.Course is null ? DisplayFormat.None
                        : room.CourseVersion is { } version ? $"{room.Course} v{DisplayFormat.Number(version)}"
                        : room.Course);
                }

                cells.AddRange([
                    room.Phase,
                    $"{room.MachinesRunning}/{room.Machines} running",
                    DisplayFormat.Number(room.Generation),
                    DisplayFormat.Age(room.CreatedAt, now)]);
                table.Add([.. cells]);
            }

            printer.Table(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = RoomArgument.Description };
        var output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Json, OutputFormat.Yaml);
        output.Description += "; yaml: the room's definition as room.yaml, which `room apply -f` takes back";
        var command = new Command("get", "Show a room: its machines, their state and addresses, and its networks")
        {
            name, output,
        };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var roomName = parseResult.GetRequiredValue(name);
            var answer = await client.GetAsync(ApiPaths.Room(roomName), $"room '{roomName}'", cancellationToken);
            var printer = new Printer(runner.Context);
            switch (parseResult.GetValue(output))
            {
                case OutputFormat.Json:
                    printer.Json(answer);
                    break;
                case OutputFormat.Yaml:
                    // Core's writer, the one the server and designer use, so the text is what `room apply` reads back.
                    printer.Text(RoomDocument.ToYaml(ApiJson.Read<RoomDefinition>(DefinitionOf(answer, roomName))));
                    break;
                default:
                    PrintRoom(printer, ApiJson.Read<RoomDetails>(answer), runner.Context.TimeProvider.GetUtcNow());
                    break;
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = RoomArgument.Description };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command("delete", "Delete a room, its machines and their disks, and follow the task")
        {
            name, noWait, timeout,
        };
        command.Aliases.Add("rm");
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var task = await client.DeleteRoomAsync(parseResult.GetRequiredValue(name), cancellationToken);
            return await TaskCommands.AcceptedAsync(
                runner.Context, client, task, parseResult.GetValue(noWait), parseResult.GetValue(timeout), cancellationToken);
        }));
        return command;
    }

    private static Command PowerAction(CommandRunner runner, string action, string description)
    {
        var name = new Argument<string>("NAME") { Description = RoomArgument.Description };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command(action, description) { name, noWait, timeout };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var task = await client.RoomActionAsync(parseResult.GetRequiredValue(name), action, cancellationToken);
            return await TaskCommands.AcceptedAsync(
                runner.Context, client, task, parseResult.GetValue(noWait), parseResult.GetValue(timeout), cancellationToken);
        }));
        return command;
    }

    /// <summary>A POST to <c>/rooms/{room}/{action}</c> that answers 202 with a task (reset, upgrade).</summary>
    private static Command RoomTask(CommandRunner runner, string action, string description)
    {
        var room = new Argument<string>("ROOM") { Description = RoomArgument.Description };
        var noWait = CommonOptions.NoWait();
        var timeout = CommonOptions.WaitTimeout();
        var command = new Command(action, description) { room, noWait, timeout };
        command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var roomRef = parseResult.GetRequiredValue(room);
            var task = ApiJson.Read<TaskInfo>(
                await client.PostAsync($"{ApiPaths.Room(roomRef)}/{action}", $"room '{roomRef}'", cancellationToken));
            return await TaskCommands.AcceptedAsync(
                runner.Context, client, task, parseResult.GetValue(noWait), parseResult.GetValue(timeout), cancellationToken);
        }));
        return command;
    }

    private static JsonElement DefinitionOf(JsonElement room, string name) =>
        room.ValueKind == JsonValueKind.Object && room.TryGetProperty("definition", out var definition)
            ? definition
            : throw new CliException($"the server's answer for room '{name}' has no definition", ExitCodes.Error);

    private static void PrintRoom(Printer printer, RoomDetails room, DateTimeOffset now)
    {
        List<(string Label, string Value)> fields =
        [
            ("Name:", room.Name),
            ("Phase:", room.Phase),
            ("Generation:", $"{room.Generation} (observed {room.ObservedGeneration})"),
            ("Created:", $"{DisplayFormat.Time(room.CreatedAt)} ({DisplayFormat.Age(room.CreatedAt, now)} ago)"),
            ("Description:", DisplayFormat.OrNone(room.Definition.Metadata.Description)),
        ];
        // The room's lifetime (ADR 0058): when its machines stop and when it is deleted.
        if (room.StopsAt is { } stopsAt)
        {
            fields.Add(("Stops:", DisplayFormat.Ahead(stopsAt, now)));
        }

        if (room.DeletesAt is { } deletesAt)
        {
            fields.Add(("Deleted:", DisplayFormat.Ahead(deletesAt, now)));
        }

        printer.Fields([.. fields]);

        printer.Line("");
        var machines = new TableView("MACHINE", "STATE", "DESIRED", "GUEST", "NODE", "CPUS", "MEMORY", "ADDRESSES", "ERROR");
        foreach (var machine in room.Machines)
        {
            machines.Add(
                machine.Name,
                machine.State,
                machine.DesiredState,
                machine.GuestReady ? "ready" : "-",
                DisplayFormat.OrNone(machine.Node),
                DisplayFormat.Number(machine.Cpus),
                DisplayFormat.Bytes(machine.MemoryBytes),
                machine.Nics.Count == 0 ? DisplayFormat.None : string.Join(", ", machine.Nics.Select(n => $"{n.Network}={n.Ip ?? "-"}")),
                DisplayFormat.OrNone(machine.LastError));
        }

        printer.Table(machines);
        printer.Line("");
        var networks = new TableView("NETWORK", "CIDR", "MTU");
        foreach (var network in room.Networks)
        {
            networks.Add(network.Name, network.Cidr, DisplayFormat.Number(network.Mtu));
        }

        printer.Table(networks);
    }
}
