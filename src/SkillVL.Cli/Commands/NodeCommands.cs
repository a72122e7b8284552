using System.CommandLine;
using SkillVL.Cli.Http;
using SkillVL.Cli.Input;
using SkillVL.Cli.Output;
using SkillVL.Core.Api;
using SkillVL.Core.Nodes.Protocol;

namespace SkillVL.Cli.Commands;

/// <summary><c>skillvl node list|join-token|depart|drain|undrain|remove</c>.</summary>
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

            var nodes = ApiJson.Read<List<NodeInfo>>(answer);
            // A student or teacher sees only their own machines' allocation (issue 11, finding 9): the columns say so,
            // or "1/8" would read as the whole node's load and the rest as free.
            var yours = nodes.Exists(n => n.Allocation == NodeInfo.AllocationYours);
            var table = yours
                ? new TableView("NAME", "KIND", "STATE", "ACCEL", "UNDERLAY", "YOUR MACHINES", "YOUR CPUS/TOTAL", "YOUR MEMORY/TOTAL")
                : new TableView("NAME", "KIND", "OWNER", "STATE", "ACCEL", "UNDERLAY", "MACHINES", "CPUS (ALLOC/TOTAL)", "MEMORY (ALLOC/TOTAL)");
            foreach (var n in nodes)
            {
                // An admin sees who each client node belongs to (issue 12); a user's own client nodes are marked "yours".
                var kind = yours && n.Owner is not null ? n.Kind + " (yours)" : n.Kind;
                string[] who = yours ? [] : [n.Owner ?? "-"];
                table.Add(
                [
                    n.Name,
                    kind,
                    .. who,
                    n.Drained ? n.State + ", drained" : n.State,
                    n.Accelerator,
                    n.UnderlayAddress ?? "-",
                    DisplayFormat.Number(n.MachinesRunning),
                    $"{n.CpusAllocated}/{n.Cpus}",
                    $"{DisplayFormat.Bytes(n.MemoryBytesAllocated)}/{DisplayFormat.Bytes(n.MemoryBytes)}",
                ]);
            }

            printer.Table(table);
            if (yours)
            {
                runner.Context.Error.WriteLine("allocation: yours (the figures count only your own machines; other users' are not shown)");
            }

            return ExitCodes.Ok;
        }));
        node.Subcommands.Add(list);
        node.Subcommands.Add(JoinToken(runner));
        node.Subcommands.Add(NodeDepartCommand.Create(runner));
        foreach (var (verb, help) in new[] { ("drain", "Stop placing new machines on a node (what runs there stays)"), ("undrain", "Let a drained node take new machines again") })
        {
            var name = new Argument<string>("NODE") { Description = "The node's name (skillvl node list)" };
            var evacuate = new Option<bool>("--evacuate") { Description = "Also move every running machine off it through the migration engine (ADR 0030)" };
            var wait = new Option<bool>("--wait") { Description = "With --evacuate: follow the moves to their end; exit 6 naming any that did not succeed" };
            var timeout = CommonOptions.Duration($"How long --wait follows the moves, all of them together; default {DurationParser.Format(MigrationFollower.DefaultTimeout)}", MigrationFollower.DefaultTimeout);
            var command = new Command(verb, help) { name };
            if (verb == "drain")
            {
                command.Options.Add(evacuate);
                command.Options.Add(wait);
                command.Options.Add(timeout);
            }

            command.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
            {
                var nodeName = parseResult.GetRequiredValue(name);
                if (verb == "drain" && parseResult.GetValue(wait) && !parseResult.GetValue(evacuate))
                {
                    throw new CliException("--wait follows the moves of --evacuate: give both, or neither", ExitCodes.Usage);
                }

                await client.PostAsync($"{ApiPaths.Nodes}/{Uri.EscapeDataString(nodeName)}/{verb}", $"node '{nodeName}'", cancellationToken);
                runner.Context.Out.WriteLine($"node {nodeName} {(verb == "drain" ? "drained" : "takes new machines again")}");
                return verb == "drain" && parseResult.GetValue(evacuate)
                    ? await NodeEvacuation.RunAsync(
                        runner, client, nodeName, parseResult.GetValue(wait) ? parseResult.GetValue(timeout) ?? MigrationFollower.DefaultTimeout : null, cancellationToken)
                    : ExitCodes.Ok;
            }));
            node.Subcommands.Add(command);
        }

        var removed = new Argument<string>("NODE") { Description = "The node's name" };
        var remove = new Command("remove", "Remove a node: its credential is revoked and its agent disconnected") { removed };
        remove.SetAction(runner.Action(async (parseResult, client, cancellationToken) =>
        {
            var nodeName = parseResult.GetRequiredValue(removed);
            await client.DeleteAsync($"{ApiPaths.Nodes}/{Uri.EscapeDataString(nodeName)}", $"node '{nodeName}'", cancellationToken);
            runner.Context.Out.WriteLine($"node {nodeName} removed");
            return ExitCodes.Ok;
        }));
        node.Subcommands.Add(remove);
        return node;
    }

    private static Command JoinToken(CommandRunner runner)
    {
        var minutes = new Option<int?>("--expires-in-minutes") { Description = "How long the token can be used; default 60", HelpName = "N" };
        var client = new Option<bool>("--client") { Description = "A token for a client node: your own computer (anyone may make one; other kinds are an admin's)" };
        var owner = new Option<string?>("--owner") { Description = "With --client: the user the computer belongs to (admin; default: yourself, or no owner for an admin)", HelpName = "USER" };
        var nodeName = new Option<string?>("--name") { Description = "The node name to put in the printed agent command (DNS label)", HelpName = "NAME" };
        var command = new Command(
            "join-token",
            "Print a one-time token a new node's agent enrols with, and the skillvl-agent command that uses it")
        {
            minutes, client, owner, nodeName,
        };
        command.SetAction(runner.Action(async (parseResult, http, cancellationToken) =>
        {
            var forClient = parseResult.GetValue(client);
            var ownerName = parseResult.GetValue(owner);
            if (ownerName is not null && !forClient)
            {
                throw new CliException("--owner names whose computer a client node is: use it with --client.", ExitCodes.Usage);
            }

            var answer = await http.SendJsonAsync(
                HttpMethod.Post,
                ApiPaths.Nodes + "/join-tokens",
                new CreateJoinTokenRequest(parseResult.GetValue(minutes), forClient ? "client" : null, ownerName),
                "join token",
                cancellationToken);
            var token = ApiJson.Read<JoinTokenInfo>(answer);
            // The token alone on stdout, as before, so TOKEN=$(skillvl node join-token) keeps working; the rest for people.
            runner.Context.Out.WriteLine(token.Token);
            var whose = token.Owner is null ? "" : $" for {token.Owner}'s computer";
            runner.Context.Error.WriteLine($"one-time {token.Kind ?? "node"} join token{whose}, valid until {DisplayFormat.Time(token.ExpiresAt)}; on the new node run:");
            runner.Context.Error.WriteLine("  " + AgentCommand(http.Server, token, parseResult.GetValue(nodeName)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The file the printed command keeps the token in, in the directory it is run from.</summary>
    internal const string TokenFileName = "skillvl-join-token";

    /// <summary>
    /// The agent command line a token is for (the agent's own options: src/SkillVL.Agent.Host/Program.cs). The token goes
    /// to a 0600 file by the shell's own printf and the agent reads it with <c>--join-token-file</c>: on the agent's command
    /// line it would be in /proc/PID/cmdline, which every local user can read, for as long as the agent runs.
    /// </summary>
    internal static string AgentCommand(Uri server, JoinTokenInfo token, string? name)
    {
        var line = $"(umask 077; printf '%s\\n' {token.Token} > {TokenFileName}) && sudo skillvl-agent --server {server.AbsoluteUri.TrimEnd('/')} --join-token-file {TokenFileName} --name {name ?? "NAME"}";
        return token.Kind is null ? line : line + " --kind " + token.Kind;
    }
}
